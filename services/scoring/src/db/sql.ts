import type pg from 'pg';

/** Anything that runs a query: a pool or a checked-out client. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Runs `fn` in a transaction on a client of the pool; rolls back on error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  mode = '',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN ${mode}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A timestamptz parameter from ms UTC. */
export const tsParam = (ms: number): string => new Date(ms).toISOString();

/** PostgreSQL array literal of numbers (NaN and infinities are valid float8 array elements). */
export function numberArrayLiteral(values: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out +=
      (i === 0 ? '' : ',') +
      (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
  }
  return out + '}';
}

/** PostgreSQL array literal of plain identifiers (check and variable names: [a-z0-9_]). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/** A float8 column that may hold NaN, as null-for-NaN (scalar columns keep SQL NULL semantics). */
export const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);
