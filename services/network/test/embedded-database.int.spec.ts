import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/embedded/database.js';

describe('the embedded database (PGlite over its socket)', () => {
  let dir: string;
  let database: EmbeddedDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gt-pglite-'));
    database = await startEmbeddedDatabase(dir);
  });

  afterAll(async () => {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each connection’s parameterised queries whole while other connections query at the same time', async () => {
    // Given five connections, each running parameterised queries (Parse/Bind/Execute/Sync) outside transactions
    const clients = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      }),
    );
    try {
      // When they all query at once, many times over
      const answers = await Promise.all(
        clients.map(async (client, c) => {
          const got: string[] = [];
          for (let i = 0; i < 60; i++) {
            // each connection its own statement text: a Bind landing on another connection's Parse shows
            const { rows } = await client.query<{ v: string }>(`SELECT $1::text || '-${c}-' || $2::text AS v`, [
              `c${c}`,
              `${i}`,
            ]);
            got.push(rows[0]!.v);
          }
          return got;
        }),
      );
      // Then every connection got its own answers, in order
      answers.forEach((got, c) => expect(got).toEqual(Array.from({ length: 60 }, (_, i) => `c${c}-${c}-${i}`)));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it('still isolates a transaction from other connections, and serves others after a client dies mid-transaction', async () => {
    const a = new pg.Client({ connectionString: database.url });
    const b = new pg.Client({ connectionString: database.url });
    a.on('error', () => undefined); // its socket is cut below, on purpose
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('CREATE TABLE IF NOT EXISTS t (n int)');
      await a.query('BEGIN');
      await a.query('INSERT INTO t VALUES ($1)', [1]);
      // b waits until a's transaction ends, then sees its outcome
      const seen = b.query<{ n: string }>('SELECT count(*)::text AS n FROM t');
      await a.query('ROLLBACK');
      expect((await seen).rows[0]!.n).toBe('0');

      // a dies inside a transaction: its work is rolled back and b is served
      await a.query('BEGIN');
      await a.query('INSERT INTO t VALUES ($1)', [2]);
      (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      const after = await b.query<{ n: string }>('SELECT count(*)::text AS n FROM t WHERE n = $1', [2]);
      expect(after.rows[0]!.n).toBe('0');
    } finally {
      await b.end();
      await a.end().catch(() => undefined);
    }
  });
});
