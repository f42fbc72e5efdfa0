import { RpcGateway } from '@groundtruth/programs';
import {
  formatEpochDetail,
  formatEpochList,
  formatVerifyReport,
  verifyStoredEpoch,
  type EpochDetail,
  type EpochSummary,
  type VerifyReport,
} from '@groundtruth/rewards';
import { isAddress, type Address } from '@solana/kit';
import type { Command } from 'commander';
import pg from 'pg';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { defaultEndpoints, target } from './endpoints.js';
import { requestJson } from './http-client.js';

const epochNumber = (text: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new CliError(`"${text}" is not an epoch number`, '`groundtruth epoch list` shows the closed epochs', 2);
  }
  return n;
};

interface VerifyOptions {
  databaseUrl?: string;
  rpcUrl?: string;
  mint?: string;
  dataDir?: string;
  json?: boolean;
}

export function epochCommand(program: Command, io: CliIo): void {
  const epoch = program.command('epoch').description('closed reward epochs: list, show, and verify independently');
  epoch
    .command('list')
    .description('the latest closed epochs with their manifest root and payout state')
    .option('--api <url>', 'rewards API (default: the local network)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { api?: string; limit: string; json?: boolean }) => {
      const api = target('rewards service', options.api ?? defaultEndpoints(io.env).rewards);
      const { epochs } = await requestJson<{ epochs: EpochSummary[] }>(
        api,
        'GET',
        `epochs?limit=${encodeURIComponent(options.limit)}`,
      );
      io.out(options.json ? JSON.stringify(epochs, null, 2) : formatEpochList(epochs));
    });
  epoch
    .command('show')
    .description('one epoch: window, amounts, devices per reason code, payout transactions')
    .argument('<epoch>', 'epoch number')
    .option('--api <url>', 'rewards API (default: the local network)')
    .option('--json', 'print JSON')
    .action(async (n: string, options: { api?: string; json?: boolean }) => {
      const api = target('rewards service', options.api ?? defaultEndpoints(io.env).rewards);
      const detail = await requestJson<EpochDetail>(api, 'GET', `epochs/${epochNumber(n)}`);
      io.out(options.json ? JSON.stringify(detail, null, 2) : formatEpochDetail(detail));
    });
  epoch
    .command('verify')
    .description(
      'recompute the epoch from the inputs stored with it and check the manifest root, the payout ledger, the root ' +
        'anchored on chain (Memo) and the tokens minted to every wallet',
    )
    .argument('<epoch>', 'epoch number')
    .option('--database-url <url>', 'the network database (default: DATABASE_URL or the running local network)')
    .option('--rpc-url <url>', 'Solana JSON-RPC (default: SOLANA_RPC_URL or the running local network)')
    .option('--mint <address>', 'the reward mint (default: the running local network’s)')
    .option('--data-dir <dir>', 'data directory of the local network')
    .option('--json', 'print the report as JSON')
    .action(async (n: string, options: VerifyOptions) => {
      const defaults = defaultEndpoints(io.env, options.dataDir);
      const databaseUrl = options.databaseUrl ?? defaults.databaseUrl;
      if (databaseUrl === undefined) {
        throw new CliError('no database to verify from', 'pass --database-url, set DATABASE_URL, or start the network');
      }
      const mint = options.mint ?? defaults.mint;
      if (mint === undefined || !isAddress(mint)) {
        throw new CliError('no reward mint address', 'pass --mint <address> (the deployment file names it)');
      }
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: 'groundtruth-verify' });
      let report: VerifyReport;
      try {
        report = await verifyStoredEpoch(pool, epochNumber(n), {
          gateway: new RpcGateway({ url: options.rpcUrl ?? defaults.solanaRpc }),
          mint: mint as Address,
        });
      } catch (error) {
        throw error instanceof CliError ? error : new CliError(`cannot verify epoch ${n}: ${(error as Error).message}`);
      } finally {
        await pool.end();
      }
      io.out(options.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
      if (!report.ok) {
        throw new CliError(`epoch ${report.epoch} does not verify`, 'the failing checks above say what differs');
      }
    });
}
