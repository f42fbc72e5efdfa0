import type pg from 'pg';

/**
 * Runs `work` while holding the PostgreSQL session advisory lock `key` on a dedicated connection of `pool`, or
 * returns undefined at once when another session holds it (never waits). The lock dies with the connection, so a
 * crashed holder never blocks the next one. Used to admit one runner pass at a time across processes.
 *
 * @example
 * const outcome = await withTryAdvisoryLock(pool, 0x67745f72657764n, () => pass());
 * if (outcome === undefined) log.info('another runner is busy');
 */
export async function withTryAdvisoryLock<T>(
  pool: pg.Pool,
  key: bigint,
  work: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  const client = await pool.connect();
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      key.toString(),
    ]);
    locked = rows[0]?.locked === true;
    if (!locked) {
      return undefined;
    }
    return { value: await work() };
  } finally {
    if (locked) {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]).catch(() => undefined);
    }
    client.release();
  }
}
