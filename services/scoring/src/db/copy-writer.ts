import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** COPY text format: NULL, and the four characters that need a backslash. */
export const COPY_NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyText(value: string | null): string {
  if (value === null) {
    return COPY_NULL;
  }
  return NEEDS_ESCAPE.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

/**
 * Streams rows (already COPY-text encoded lines, without the newline) into `table (columns)` with COPY FROM
 * STDIN, in one statement. For PostgreSQL and TimescaleDB; PGlite over pglite-socket does not carry COPY, so the
 * repositories fall back to INSERT … SELECT FROM unnest there.
 */
export async function copyLines(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  lines: readonly string[],
): Promise<void> {
  if (lines.length === 0) {
    return;
  }
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    const CHUNK = 10_000;
    let i = 0;
    const writeMore = (): void => {
      while (i < lines.length) {
        const chunk = lines.slice(i, i + CHUNK).join('\n') + '\n';
        i += CHUNK;
        if (!stream.write(chunk)) {
          stream.once('drain', writeMore);
          return;
        }
      }
      stream.end();
    };
    writeMore();
  });
}
