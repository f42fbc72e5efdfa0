import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, dropDatabase } from '../../../test/setup/services.js';
import { withTryAdvisoryLock } from '../src/db/advisory-lock.js';

const KEY = 0x67745f746573746cn;

describe('withTryAdvisoryLock', () => {
  let url: string;
  let pool: pg.Pool;
  let other: pg.Pool;
  beforeAll(async () => {
    url = await createDatabase(inject('databaseUrl'));
    pool = new pg.Pool({ connectionString: url, max: 3 });
    other = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([pool?.end(), other?.end()]);
    await dropDatabase(url);
  });

  const heldBySomeone = async (): Promise<boolean> => {
    const { rows } = await other.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows[0]!.n > 0;
  };

  it('runs the work holding the lock, then releases it and its connection', async () => {
    const outcome = await withTryAdvisoryLock(pool, KEY, async () => heldBySomeone());
    expect(outcome).toEqual({ value: true });
    expect(await heldBySomeone()).toBe(false);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('returns undefined at once, without running the work, while another session holds the lock', async () => {
    // Given another session holding the lock
    const holder = await other.connect();
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [KEY.toString()]);
    try {
      // When a second runner tries
      let ran = false;
      const outcome = await withTryAdvisoryLock(pool, KEY, async () => {
        ran = true;
      });
      // Then it neither waits nor runs
      expect([outcome, ran]).toEqual([undefined, false]);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [KEY.toString()]);
      holder.release();
    }
    expect(await withTryAdvisoryLock(pool, KEY, async () => 'free again')).toEqual({ value: 'free again' });
  });

  it('releases the lock when the work throws, and passes the error on', async () => {
    await expect(
      withTryAdvisoryLock(pool, KEY, async () => {
        throw new Error('pass failed');
      }),
    ).rejects.toThrow('pass failed');
    expect(await heldBySomeone()).toBe(false);
    expect(await withTryAdvisoryLock(pool, KEY, async () => 1)).toEqual({ value: 1 });
  });
});
