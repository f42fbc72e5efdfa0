/**
 * Stable error codes of the scoring service (API answers, logs, run records). Never rename or reuse one.
 */
export const SCORING_ERROR_CODES = [
  'BAD_EPOCH',
  'UNKNOWN_VERSION',
  'VERSION_NOT_NEWER',
  'DEVICE_NOT_FOUND',
  'EPOCH_NOT_SCORED',
  'BAD_REQUEST',
  'RUN_NOT_FOUND',
] as const;

export type ScoringErrorCode = (typeof SCORING_ERROR_CODES)[number];

export class ScoringError extends Error {
  override readonly name = 'ScoringError';
  constructor(
    readonly code: ScoringErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
  }
}
