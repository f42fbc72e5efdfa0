import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';
import { chownTree, postgresOsUser, type OsUser } from './processes.js';

const run = promisify(execFile);

/** A private PostgreSQL cluster. Plain data, so the global setup can hand it to test workers. */
export interface PostgresInstance {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url: string;
  port: number;
  baseDir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  /** Whether `timescaledb` is in shared_preload_libraries (the extension is installed here). */
  timescaledb: boolean;
}

export interface PostgresOptions {
  /** Database created after start (default `groundtruth`). */
  database?: string;
  /** Preload TimescaleDB (default: when installed). */
  timescaledb?: boolean;
  /** Extra postgresql.conf settings, e.g. `{ log_statement: "'all'" }` (values are written verbatim). */
  settings?: Record<string, string>;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const CONF_FILE = 'groundtruth-test.conf';

function timescaledbInstalled(): boolean {
  let sharedir = '/usr/share/postgresql/15';
  try {
    sharedir = execFileSync(path.join(PG_BIN, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim();
  } catch {
    // pg_config comes with postgresql-server-dev; Debian's layout otherwise
  }
  return existsSync(path.join(sharedir, 'extension', 'timescaledb.control'));
}

function settings(port: number, socketDir: string, timescaledb: boolean, extra: Record<string, string>): string {
  const base: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${socketDir}'`,
    max_connections: '200',
    // Sized for a 24 GiB / 2-core machine that also runs the services under test.
    shared_buffers: "'1GB'",
    effective_cache_size: "'8GB'",
    work_mem: "'16MB'",
    maintenance_work_mem: "'256MB'",
    max_wal_size: "'4GB'",
    min_wal_size: "'256MB'",
    checkpoint_completion_target: '0.9',
    // Tests check durability claims (ack only after COMMIT), so keep the real thing on.
    fsync: 'on',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    max_worker_processes: '27',
    timezone: "'UTC'",
    log_timezone: "'UTC'",
    lc_messages: "'C'",
    jit: 'off',
    log_min_messages: 'warning',
    ...(timescaledb
      ? {
          shared_preload_libraries: "'timescaledb'",
          'timescaledb.telemetry_level': 'off',
          // One scheduler per database with the extension; tests create many databases.
          'timescaledb.max_background_workers': '16',
        }
      : {}),
    ...extra,
  };
  return `${Object.entries(base)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n')}\n`;
}

async function asUser(user: OsUser | undefined, cwd: string, bin: string, args: string[]): Promise<void> {
  try {
    await run(path.join(PG_BIN, bin), args, {
      cwd,
      env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/**
 * initdb + pg_ctl start of a PostgreSQL 15 cluster in a temp directory, listening on a free port of
 * 127.0.0.1 (trust auth), then creates the database. As root, the cluster runs as the `postgres` OS user.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresInstance> {
  const user = postgresOsUser();
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'gt-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const socketDir = path.join(baseDir, 'run');
  const logFile = path.join(baseDir, 'postgres.log');
  const timescaledb = options.timescaledb ?? timescaledbInstalled();
  mkdirSync(socketDir);
  if (user) {
    chownTree(baseDir, user);
  }
  try {
    await asUser(user, baseDir, 'initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync', // the cluster is disposable until it starts; fsync is on from then on
      '--no-instructions',
    ]);
    appendFileSync(path.join(dataDir, 'postgresql.conf'), `\ninclude '${CONF_FILE}'\n`);
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      writeFileSync(path.join(dataDir, CONF_FILE), settings(port, socketDir, timescaledb, options.settings ?? {}));
      const instance: PostgresInstance = {
        url: `postgres://postgres@127.0.0.1:${port}/${options.database ?? 'groundtruth'}`,
        port,
        baseDir,
        dataDir,
        socketDir,
        logFile,
        timescaledb,
      };
      try {
        await launchPostgres(instance);
      } catch (error) {
        lastError = error; // most likely the port was taken between freePort() and bind: try another
        continue;
      }
      await createDatabase(instance.url, options.database ?? 'groundtruth', 'postgres');
      return instance;
    }
    throw lastError;
  } catch (error) {
    await stopPostgres({ baseDir, dataDir } as PostgresInstance, { mode: 'immediate', removeFiles: true }).catch(
      () => {},
    );
    throw error;
  }
}

/** pg_ctl start of an existing instance (after {@link stopPostgres}); resolves when it accepts connections. */
export async function launchPostgres(instance: PostgresInstance): Promise<void> {
  try {
    await asUser(postgresOsUser(), instance.baseDir, 'pg_ctl', [
      '-D',
      instance.dataDir,
      '-l',
      instance.logFile,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tail(instance.logFile)}`);
  }
}

/**
 * pg_ctl stop. `fast` (default) is a clean shutdown; `immediate` is crash-like (WAL recovery on the next start).
 * Removes the cluster's files when `removeFiles`.
 */
export async function stopPostgres(
  instance: Pick<PostgresInstance, 'baseDir' | 'dataDir'>,
  options: { mode?: 'smart' | 'fast' | 'immediate'; removeFiles?: boolean } = {},
): Promise<void> {
  if (existsSync(path.join(instance.dataDir, 'postmaster.pid'))) {
    await asUser(postgresOsUser(), instance.baseDir, 'pg_ctl', [
      '-D',
      instance.dataDir,
      '-m',
      options.mode ?? 'fast',
      '-w',
      '-t',
      '60',
      'stop',
    ]);
  }
  if (options.removeFiles) {
    rmSync(instance.baseDir, { recursive: true, force: true });
  }
}

export async function restartPostgres(
  instance: PostgresInstance,
  options: { mode?: 'fast' | 'immediate' } = {},
): Promise<void> {
  await stopPostgres(instance, { mode: options.mode ?? 'fast' });
  await launchPostgres(instance);
}

/** Synchronous last-resort stop, for `process.on('exit')`. */
export function stopPostgresSync(instance: Pick<PostgresInstance, 'baseDir' | 'dataDir'>): void {
  if (!existsSync(path.join(instance.dataDir, 'postmaster.pid'))) {
    return;
  }
  const user = postgresOsUser();
  spawnSync(path.join(PG_BIN, 'pg_ctl'), ['-D', instance.dataDir, '-m', 'immediate', '-w', 'stop'], {
    cwd: instance.baseDir,
    stdio: 'ignore',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
}

/**
 * Creates a fresh, empty database in the cluster of `databaseUrl` (any database there) and returns its URL.
 * Run `migrate(url)` on it for the schema.
 *
 * @example
 * const url = await createDatabase(inject('databaseUrl')); // postgres://…/gt_test_3f9a…
 */
export async function createDatabase(databaseUrl: string, name?: string, maintenanceDb?: string): Promise<string> {
  const database = name ?? `gt_test_${randomBytes(6).toString('hex')}`;
  await withClient(databaseUrl, maintenanceDb, (client) =>
    client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`),
  );
  return withDatabase(databaseUrl, database);
}

/** Drops the database that `databaseUrl` names, disconnecting its sessions. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await withClient(databaseUrl, 'postgres', (client) =>
    client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`),
  );
}

function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withClient<T>(
  databaseUrl: string,
  database: string | undefined,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: database ? withDatabase(databaseUrl, database) : databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function tail(file: string, lines = 30): string {
  try {
    return `--- ${file}\n${readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')}\n`;
  } catch {
    return '';
  }
}
