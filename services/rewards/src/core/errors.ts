/** Stable codes of the rewards service's errors; never renumber or reuse, add at the end. */
export const REWARDS_ERROR_CODES = [
  'BAD_PARAMS',
  'EPOCH_NOT_CLOSABLE',
  'EPOCH_NOT_FOUND',
  'EPOCH_ALREADY_CLOSED',
  'DEVICE_NOT_IN_EPOCH',
  'RUNNER_BUSY',
  'AMOUNT_OVERFLOW',
  'BAD_EXPORT',
  'CHAIN_MISMATCH',
  'BAD_REQUEST',
] as const;
export type RewardsErrorCode = (typeof REWARDS_ERROR_CODES)[number];

export class RewardsError extends Error {
  override readonly name = 'RewardsError';
  constructor(
    readonly code: RewardsErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isRewardsError(error: unknown, code?: RewardsErrorCode): error is RewardsError {
  return error instanceof RewardsError && (code === undefined || error.code === code);
}
