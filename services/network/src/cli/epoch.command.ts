import { isAddress, type Address } from '@solana/kit';
import { RpcGateway } from '@groundtruth/programs';
import {
  Database,
  EpochsRepository,
  InputsRepository,
  PayoutsRepository,
  PgEpochData,
  verifyEpoch,
  type VerifyReport,
} from '@groundtruth/rewards';
import type { Command } from 'commander';
import pg from 'pg';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { defaultEndpoints, target } from './endpoints.js';
import { requestJson } from './http-client.js';

interface EpochHeader {
  epoch: number;
  startsAt: string;
  endsAt: string;
  closedAt: string;
  root: string;
  leafCount: number;
  algorithmVersion: string;
  amounts: { payout: string; payoutTokens: string; emission: string; held: string; credited: string };
  wallets: number;
  transactions: number;
  payoutState: string;
  paidAt: string | null;
}

interface EpochDetail extends EpochHeader {
  payoutTransactions: { part: number; state: string; signature: string | null; wallets: number; sends: number }[];
}

const epochNumber = (text: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new CliError(`"${text}" is not an epoch number`, '`groundtruth epoch list` shows the closed epochs', 2);
  }
  return n;
};

export function formatVerifyReport(report: VerifyReport): string[] {
  return [
    `${report.ok ? 'OK' : 'FAILED'}: epoch ${report.epoch}, manifest root ${report.root}`,
    ...report.checks.map((c) => `  ${c.status.padEnd(7)} ${c.name}: ${c.detail}`),
  ];
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
      const { epochs } = await requestJson<{ epochs: EpochHeader[] }>(
        api,
        'GET',
        `epochs?limit=${encodeURIComponent(options.limit)}`,
      );
      if (options.json) {
        io.out(JSON.stringify(epochs, null, 2));
        return;
      }
      if (epochs.length === 0) {
        io.out('no epoch closed yet');
        return;
      }
      io.out('epoch        ends at                   wallets  paid (GRND)        state    root');
      for (const e of epochs) {
        io.out(
          `${String(e.epoch).padEnd(12)} ${e.endsAt.padEnd(25)} ${String(e.wallets).padStart(7)}  ` +
            `${e.amounts.payoutTokens.padStart(17)}  ${e.payoutState.padEnd(8)} ${e.root}`,
        );
      }
    });
  epoch
    .command('show')
    .description('one epoch: window, amounts, payout transactions')
    .argument('<epoch>', 'epoch number')
    .option('--api <url>', 'rewards API (default: the local network)')
    .option('--json', 'print JSON')
    .action(async (n: string, options: { api?: string; json?: boolean }) => {
      const api = target('rewards service', options.api ?? defaultEndpoints(io.env).rewards);
      const e = await requestJson<EpochDetail>(api, 'GET', `epochs/${epochNumber(n)}`);
      if (options.json) {
        io.out(JSON.stringify(e, null, 2));
        return;
      }
      io.out(
        [
          `epoch       ${e.epoch}: ${e.startsAt} → ${e.endsAt}, closed ${e.closedAt} (algorithm ${e.algorithmVersion})`,
          `manifest    ${e.leafCount} leaves, root ${e.root}`,
          `amounts     emission ${e.amounts.emission}, paid ${e.amounts.payoutTokens} GRND to ${e.wallets} wallets, held ${e.amounts.held}, credited ${e.amounts.credited} (base units)`,
          `payout      ${e.payoutState}${e.paidAt === null ? '' : ` at ${e.paidAt}`} in ${e.transactions} transactions`,
          ...e.payoutTransactions.map(
            (t) => `  part ${t.part}: ${t.state}, ${t.wallets} wallets, ${t.sends} sends, ${t.signature ?? 'not signed yet'}`,
          ),
        ].join('\n'),
      );
    });
  epoch
    .command('verify')
    .description(
      'recompute the epoch from stored data and check it: inputs, scores, manifest root, ledger, the root anchored ' +
        'on chain (Memo) and the tokens minted to every wallet',
    )
    .argument('<epoch>', 'epoch number')
    .option('--database-url <url>', 'the network database (default: DATABASE_URL or the running local network)')
    .option('--rpc-url <url>', 'Solana JSON-RPC (default: SOLANA_RPC_URL or the running local network)')
    .option('--mint <address>', 'the reward mint (default: the running local network’s)')
    .option('--data-dir <dir>', 'data directory of the local network')
    .option('--json', 'print the report as JSON')
    .action(async (n: string, options: { databaseUrl?: string; rpcUrl?: string; mint?: string; dataDir?: string; json?: boolean }) => {
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
        const db = new Database(pool);
        const data = new PgEpochData(db, {
          epochs: new EpochsRepository(),
          inputs: new InputsRepository(),
          payouts: new PayoutsRepository(),
        });
        report = await verifyEpoch(epochNumber(n), {
          data,
          gateway: new RpcGateway({ url: options.rpcUrl ?? defaults.solanaRpc }),
          mint: mint as Address,
        });
      } catch (error) {
        if (error instanceof CliError) {
          throw error;
        }
        throw new CliError(`cannot verify epoch ${n}: ${(error as Error).message}`);
      } finally {
        await pool.end();
      }
      if (options.json) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        formatVerifyReport(report).forEach((line) => io.out(line));
      }
      if (!report.ok) {
        throw new CliError(`epoch ${report.epoch} does not verify`, 'the failing checks above say what differs');
      }
    });
}
