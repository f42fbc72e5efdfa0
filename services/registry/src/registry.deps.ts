import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger, OperatorToken } from '@groundtruth/service-kit';
import type pg from 'pg';

/*
 * Dependency-injection tokens that are classes, so Nest resolves constructor parameters by their type
 * (emitDecoratorMetadata) without @Inject. The abstract ones are satisfied with `useValue`.
 */

/** Milliseconds since the Unix epoch (UTC). Injected so expiry logic can be driven in tests. */
export abstract class Clock {
  abstract now(): number;
}

/** The service-kit structured logger, as an injectable type. */
export abstract class RegistryLogger implements Logger {
  abstract debug(event: string, fields?: Record<string, unknown>): void;
  abstract info(event: string, fields?: Record<string, unknown>): void;
  abstract warn(event: string, fields?: Record<string, unknown>): void;
  abstract error(event: string, fields?: Record<string, unknown>): void;
  abstract child(fields: Record<string, unknown>): Logger;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The PostgreSQL pool, with a transaction helper. Ends the pool on shutdown only if it created it. */
export class Database implements Queryable, OnApplicationShutdown {
  constructor(
    readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
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

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsPool) {
      await this.pool.end();
    }
  }
}

/** The parts of the configuration the request handlers need. */
export class RegistrySettings {
  constructor(
    readonly operatorTokens: readonly OperatorToken[],
    readonly maxRequestValidityMs: number,
    readonly requireMakerAttestation: boolean,
  ) {}
}
