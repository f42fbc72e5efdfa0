import pg from 'pg';

export interface PoolOptions {
  /** Most connections the pool opens (default 10). */
  max?: number;
  /** Shown in pg_stat_activity, so a connection can be traced to its service. */
  applicationName?: string;
  /** Server-side statement timeout in ms (default none). */
  statementTimeoutMs?: number;
  /** Called when an idle client errors (e.g. the server restarted); defaults to one JSON log line. */
  onError?: (error: Error) => void;
}

/**
 * A `pg.Pool` for a `postgres://` URL, with timeouts so a dead server fails calls instead of hanging them.
 *
 * @example
 * const pool = createPool(config.databaseUrl, { applicationName: 'ingest', max: 20 });
 */
export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'groundtruth',
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
  });
  // An idle client's error is emitted on the pool; unhandled, it would crash the process.
  pool.on(
    'error',
    options.onError ??
      ((error: Error) => console.error(JSON.stringify({ event: 'pg_pool_error', message: error.message }))),
  );
  return pool;
}
