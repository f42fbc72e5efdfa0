import { SCORING_ERROR_CODES, ScoringError, type ScoringErrorCode } from '../errors.js';

/**
 * Codes only the HTTP API produces (requests, authentication, appeals); the job's own come from
 * {@link SCORING_ERROR_CODES}. Stable: never renamed or reused; new ones go at the end.
 */
export const API_ONLY_ERROR_CODES = [
  'VALIDATION',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'EPOCH_NOT_ENDED',
  'NO_OWNER_WALLET',
  'BAD_OWNER_SIGNATURE',
  'REQUEST_EXPIRED',
  'EXPIRY_TOO_FAR',
  'APPEAL_IN_PROGRESS',
  'INTERNAL',
] as const;

/** Every code the scoring API answers with. Mapped to HTTP statuses only in `error-status.ts`. */
export const API_ERROR_CODES = [...SCORING_ERROR_CODES, ...API_ONLY_ERROR_CODES] as const;
export type ApiErrorCode = ScoringErrorCode | (typeof API_ONLY_ERROR_CODES)[number];

/** An error of the scoring API: a stable code, a message for people, structured details for programs. */
export class ScoringApiError extends Error {
  override readonly name = 'ScoringApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** Lifts a job error (BAD_EPOCH, UNKNOWN_VERSION, ...) keeping its code and context. */
  static fromScoring(error: ScoringError): ScoringApiError {
    return new ScoringApiError(error.code, error.message.replace(/^[A-Z_]+: /, ''), { ...error.context });
  }
}
