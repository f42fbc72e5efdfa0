import { withTryAdvisoryLock } from '@groundtruth/service-kit';
import type pg from 'pg';

/** Key of the PostgreSQL advisory lock that admits one rewards runner at a time (any stable 64-bit number). */
export const REWARDS_RUNNER_LOCK_KEY = 0x67745f72657764n; // 'gt_rewd'

/**
 * Runs `work` while holding the rewards runner's session advisory lock on a dedicated connection, or returns
 * `undefined` at once when another runner holds it (the kit's {@link withTryAdvisoryLock}).
 */
export function withRunnerLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  return withTryAdvisoryLock(pool, REWARDS_RUNNER_LOCK_KEY, work);
}
