#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLiteSvmSnapshot, readDeployment, RpcGateway, type SolanaGateway } from '@groundtruth/programs';
import pg from 'pg';
import { Database } from '../db/database.js';
import { EpochsRepository } from '../db/epochs.repository.js';
import { InputsRepository } from '../db/inputs.repository.js';
import { PayoutsRepository } from '../db/payouts.repository.js';
import { formatEpochDetail, formatEpochList, listEpochs, showEpoch } from '../epochs/epoch-commands.js';
import { DirectoryEpochData, exportEpoch, PgEpochData, type EpochDataSource } from './epoch-data.js';
import { formatVerifyReport, verifyEpoch } from './verify-epoch.js';

const USAGE = `usage:
  gt-rewards list --database-url <postgres://…> [--limit <n>] [--json]
  gt-rewards show <epoch> --database-url <postgres://…> [--json]
  gt-rewards verify <epoch> --deployment <deployment.json> (--rpc <url> | --litesvm-dir <dir>)
      (--database-url <postgres://…> | --export-dir <dir>) [--json]
  gt-rewards export <epoch> --database-url <postgres://…> --out <dir>`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

class UsageError extends Error {}

function epochArg(value: string | undefined): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new UsageError(`expected an epoch number, got ${value ?? 'nothing'}`);
  }
  return Number(value);
}

async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'gt-rewards-cli' });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function withPg<T>(url: string, work: (data: PgEpochData) => Promise<T>): Promise<T> {
  return withPool(url, (pool) =>
    work(
      new PgEpochData(new Database(pool), {
        epochs: new EpochsRepository(),
        inputs: new InputsRepository(),
        payouts: new PayoutsRepository(),
      }),
    ),
  );
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * `gt-rewards list|show|verify|export`: the verify command recomputes an epoch from stored data (database or export
 * directory), checks its root, the Memo on chain and every wallet's minted amount, prints the verdict and
 * returns 0 when everything matches, 1 on any mismatch, 2 on a usage or setup error.
 */
export async function runRewardsCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        deployment: { type: 'string' },
        rpc: { type: 'string' },
        'litesvm-dir': { type: 'string' },
        'database-url': { type: 'string' },
        'export-dir': { type: 'string' },
        out: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [command, epochText] = positionals;
    if (command === 'list') {
      if (!values['database-url']) {
        throw new UsageError('list needs --database-url');
      }
      const limit = values.limit === undefined ? 30 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        throw new UsageError('--limit must be an integer in 1..500');
      }
      const epochs = await withPool(values['database-url'], (pool) => listEpochs(pool, { limit }));
      io.out(values.json ? json(epochs) : formatEpochList(epochs));
      return 0;
    }
    const epoch = epochArg(epochText);
    if (command === 'show') {
      if (!values['database-url']) {
        throw new UsageError('show needs --database-url');
      }
      const detail = await withPool(values['database-url'], (pool) => showEpoch(pool, epoch));
      io.out(values.json ? json(detail) : formatEpochDetail(detail));
      return 0;
    }
    if (command === 'export') {
      if (!values['database-url'] || !values.out) {
        throw new UsageError('export needs --database-url and --out');
      }
      const file = await withPg(values['database-url'], async (data) =>
        exportEpoch(await data.load(epoch), values.out!),
      );
      io.out(file);
      return 0;
    }
    if (command !== 'verify') {
      throw new UsageError(`unknown command ${command ?? '(none)'}`);
    }
    if (
      !values.deployment ||
      !values.rpc === !values['litesvm-dir'] ||
      !values['database-url'] === !values['export-dir']
    ) {
      throw new UsageError(
        'verify needs --deployment, one of --rpc/--litesvm-dir and one of --database-url/--export-dir',
      );
    }
    const deployment = await readDeployment(values.deployment);
    let gateway: SolanaGateway | undefined = values.rpc
      ? new RpcGateway({ url: values.rpc })
      : await loadLiteSvmSnapshot(values['litesvm-dir']!);
    if (!gateway) {
      throw new UsageError(`no LiteSVM snapshot in ${values['litesvm-dir']}`);
    }
    const run = (data: EpochDataSource) => verifyEpoch(epoch, { data, gateway, mint: deployment.mint });
    const report = values['export-dir']
      ? await run(new DirectoryEpochData(values['export-dir']))
      : await withPg(values['database-url']!, run);
    gateway = undefined;
    io.out(values.json ? json(report) : formatVerifyReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    io.err(
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? `${(error as Error).message}\n${USAGE}`
        : `error: ${(error as Error).message}`,
    );
    return 2;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await runRewardsCli(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  });
}
