import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

/** `services/kit/migrations`: two levels up from both `src/db/` (vitest, tsx) and `dist/db/` (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** Default `up`. */
  direction?: 'up' | 'down';
  /** How many migrations to apply (default all for `up`, one for `down`). */
  count?: number;
  /** Default {@link MIGRATIONS_DIR}. */
  dir?: string;
  /** Receives node-pg-migrate's progress lines; default one JSON line each on stdout. */
  log?: (message: string) => void;
}

/**
 * Applies the SQL migrations in `services/kit/migrations/` (files `<timestamp>_<name>.sql` with
 * `-- Up Migration` / `-- Down Migration` sections) in one transaction, recording them in `pgmigrations`.
 *
 * Safe to call from several processes at once: node-pg-migrate holds a PostgreSQL advisory lock for the
 * run, and here a second migrator waits for it, then finds nothing left to do.
 *
 * @example
 * await migrate(config.databaseUrl);
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<void> {
  const log =
    options.log ?? ((message: string) => console.log(JSON.stringify({ event: 'db_migrate', message: message.trim() })));
  await runner({
    databaseUrl,
    dir: options.dir ?? MIGRATIONS_DIR,
    // Only *.sql: anything else in the folder (notes, dotfiles) is not a migration.
    ignorePattern: String.raw`(?:\..*|.*(?<!\.sql))`,
    migrationLoaderStrategies: [{ extensions: ['.sql'], loader: 'legacySql' }],
    migrationsTable: MIGRATIONS_TABLE,
    direction: options.direction ?? 'up',
    ...(options.count === undefined ? {} : { count: options.count }),
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log,
  });
}
