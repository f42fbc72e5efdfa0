export interface BackoffOptions {
  /** first delay's ceiling (default 500 ms) */
  readonly initialMs?: number;
  /** largest delay (default 30 s) */
  readonly maxMs?: number;
}

/**
 * Reconnect delay for attempt `attempt` (0-based): exponential ceiling with "equal jitter" — half the ceiling
 * plus a random share of the other half — so a fleet that lost its broker does not come back in lockstep,
 * and no attempt retries immediately.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
