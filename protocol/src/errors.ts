/**
 * Stable protocol error codes. They travel in quarantine rows, metrics and API errors, so a code is never
 * renumbered, renamed or reused: add new ones at the end.
 */
export const PROTOCOL_ERROR_CODES = [
  'TOO_LARGE',
  'MALFORMED_JSON',
  'SCHEMA',
  'UNSUPPORTED_VERSION',
  'BAD_DEVICE_ID',
  'UNKNOWN_KIND',
  'BAD_SEQ',
  'BAD_TIMESTAMP',
  'BAD_LOCATION',
  'UNKNOWN_METRIC',
  'NON_FINITE_NUMBER',
  'MALFORMED_SIGNATURE',
  'BAD_SIGNATURE',
  'TOO_MANY_READINGS',
  'EMPTY_BATCH',
  'BATCH_DEVICE_MISMATCH',
  'BATCH_SEQ_NOT_INCREASING',
  'BAD_PROOF',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export function isProtocolErrorCode(value: unknown): value is ProtocolErrorCode {
  return typeof value === 'string' && (PROTOCOL_ERROR_CODES as readonly string[]).includes(value);
}

/** Context carried with an error: which field, which index in a batch, what was seen. */
export interface ProtocolErrorContext {
  readonly path?: string;
  readonly index?: number;
  readonly device?: string;
  readonly detail?: string;
}

/** The only error that decoding untrusted bytes produces. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly context: ProtocolErrorContext = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export type Result<T, E = ProtocolError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
