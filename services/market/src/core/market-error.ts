/**
 * Stable market error codes. They travel in API responses, logs and metrics, so a code is never renamed or
 * reused: add new ones at the end. HTTP statuses are chosen at the edge (http/market-error.filter.ts).
 */
export const MARKET_ERROR_CODES = [
  'BAD_QUERY',
  'UNKNOWN_METRIC',
  'EMPTY_DATASET',
  'ORDER_NOT_FOUND',
  'QUOTE_EXPIRED',
  'BAD_QUOTE_SIGNATURE',
  'UNDERPAID',
  'WRONG_MEMO',
  'WRONG_MINT',
  'WRONG_DESTINATION',
  'TX_REUSED',
  'TX_NOT_FOUND',
  'TX_NOT_CONFIRMED',
  'TX_FAILED',
  'NOT_PAID',
  'ALREADY_PAID',
  'EXPORT_NOT_FOUND',
  'EXPORT_NOT_READY',
  'UNKNOWN_DEVICE',
  'BAD_OWNER_SIGNATURE',
  'OWNER_AUTH_EXPIRED',
  'OWNER_NONCE_REUSED',
  'QUALITY_UNAVAILABLE',
  'BAD_MANIFEST',
  'BAD_EXPORT_FILE',
  'DATASET_CHANGED',
  'TX_UNREADABLE',
  'CHAIN_UNAVAILABLE',
] as const;

export type MarketErrorCode = (typeof MARKET_ERROR_CODES)[number];

export function isMarketErrorCode(value: unknown): value is MarketErrorCode {
  return typeof value === 'string' && (MARKET_ERROR_CODES as readonly string[]).includes(value);
}

/** The market's one error class: a stable code, a human message and typed context for the API body. */
export class MarketError extends Error {
  override readonly name = 'MarketError';
  constructor(
    readonly code: MarketErrorCode,
    message: string,
    readonly context: Readonly<Record<string, string | number | boolean | null>> = {},
  ) {
    super(`${code}: ${message}`);
  }
}
