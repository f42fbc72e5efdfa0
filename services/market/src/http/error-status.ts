import type { MarketErrorCode } from '../core/market-error.js';

/**
 * The HTTP status of each code: a `Record` over every code, so a new code fails the build until it has a
 * status here. 402 is what an unpaid download gets; payment refusals are 409/410/422 by their nature.
 */
const STATUS: Record<MarketErrorCode, number> = {
  BAD_QUERY: 400,
  UNKNOWN_METRIC: 400,
  BAD_MANIFEST: 400,
  BAD_EXPORT_FILE: 400,
  TX_UNREADABLE: 400,
  BAD_QUOTE_SIGNATURE: 400,
  NOT_PAID: 402,
  BAD_OWNER_SIGNATURE: 403,
  ORDER_NOT_FOUND: 404,
  EXPORT_NOT_FOUND: 404,
  UNKNOWN_DEVICE: 404,
  TX_NOT_FOUND: 404,
  EMPTY_DATASET: 404,
  ALREADY_PAID: 409,
  TX_REUSED: 409,
  TX_NOT_CONFIRMED: 409,
  EXPORT_NOT_READY: 409,
  OWNER_NONCE_REUSED: 409,
  DATASET_CHANGED: 409,
  QUOTE_EXPIRED: 410,
  OWNER_AUTH_EXPIRED: 410,
  UNDERPAID: 422,
  WRONG_MEMO: 422,
  WRONG_MINT: 422,
  WRONG_DESTINATION: 422,
  TX_FAILED: 422,
  QUALITY_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
};

export function httpStatusOf(code: MarketErrorCode): number {
  return STATUS[code];
}
