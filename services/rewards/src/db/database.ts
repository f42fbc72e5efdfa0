import type pg from 'pg';

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The PostgreSQL pool, with a transaction helper. Ends the pool on close only if it created it. */
export class Database implements Queryable {
  constructor(
    readonly pool: pg.Pool,
    private readonly ownsPool = false,
  ) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Runs `work` in one transaction: COMMIT if it resolves, ROLLBACK if it throws (the error propagates). */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) {
      await this.pool.end();
    }
  }
}

/** A numeric(20,0) column (pg returns text) as bigint. */
export const toBigInt = (value: string | number | bigint | null): bigint => (value === null ? 0n : BigInt(value));
