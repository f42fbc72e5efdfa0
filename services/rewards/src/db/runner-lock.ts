import type pg from 'pg';

/** Key of the PostgreSQL advisory lock that admits one rewards runner at a time (any stable 64-bit number). */
export const REWARDS_RUNNER_LOCK_KEY = 0x67745f72657764n; // 'gt_rewd'

/**
 * Runs `work` while holding the session advisory lock on a dedicated connection, or returns `undefined` at once
 * when another runner holds it. The lock dies with the connection, so a crashed runner never blocks the next.
 */
export async function withRunnerLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  const client = await pool.connect();
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      REWARDS_RUNNER_LOCK_KEY.toString(),
    ]);
    locked = rows[0]?.locked === true;
    if (!locked) {
      return undefined;
    }
    return { value: await work() };
  } finally {
    if (locked) {
      await client
        .query('SELECT pg_advisory_unlock($1::bigint)', [REWARDS_RUNNER_LOCK_KEY.toString()])
        .catch(() => undefined);
    }
    client.release();
  }
}
