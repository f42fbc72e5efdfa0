import {
  MarketApiError,
  MarketClient,
  MarketError,
  payQuote,
  type DatasetQueryInput,
  type SignedQuote,
} from '@groundtruth/market';
import { readKeypairFile, RpcGateway } from '@groundtruth/programs';
import { HARDWARE_KINDS, isHardwareKind } from '@groundtruth/protocol';
import { Option, type Command } from 'commander';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { defaultEndpoints } from './endpoints.js';
import { startProgress } from './progress.js';

interface QueryOptions {
  api?: string;
  metrics?: string;
  bbox?: string;
  cells?: string;
  from?: string;
  to?: string;
  minQuality?: string;
  excludeFlagged?: boolean;
}

/** The dataset filters, shared by search, quote and buy. */
function withQueryOptions(command: Command): Command {
  return command
    .option('--api <url>', 'market API (default: the local network)')
    .option('--metrics <a,b>', 'metrics every row must have')
    .option('--bbox <minLon,minLat,maxLon,maxLat>', 'region')
    .option('--cells <h3,h3>', 'region as H3 cells')
    .option('--from <time>', 'ISO time or ms (default: 24 h ago)')
    .option('--to <time>', 'ISO time or ms, exclusive (default: now)')
    .option('--min-quality <0..1>', 'only rows of devices whose epoch quality reaches it')
    .option('--exclude-flagged', 'leave out rows that quality checks flagged');
}

function datasetQuery(kind: string, options: QueryOptions): DatasetQueryInput {
  if (!isHardwareKind(kind)) {
    throw new CliError(`unknown hardware kind "${kind}"`, `choose one of ${HARDWARE_KINDS.join(', ')}`, 2);
  }
  const now = Date.now();
  return {
    kind,
    from: options.from ?? String(now - 24 * 3600_000),
    to: options.to ?? String(now),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.bbox === undefined ? {} : { bbox: options.bbox }),
    ...(options.cells === undefined ? {} : { cells: options.cells }),
    ...(options.minQuality === undefined ? {} : { minQuality: options.minQuality }),
    ...(options.excludeFlagged ? { excludeFlagged: true } : {}),
  } as DatasetQueryInput;
}

const client = (io: CliIo, api?: string) => new MarketClient({ baseUrl: api ?? defaultEndpoints(io.env).market });

/** Market answers and chain refusals as one readable line (and what to do). */
async function explained<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MarketApiError || error instanceof MarketError) {
      throw new CliError(`${what}: ${error.message}`);
    }
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      throw new CliError(
        `${what}: cannot reach the market (${(error as { cause?: { code?: string } }).cause?.code ?? 'no answer'})`,
        'is the network running? Start it with `npm start`, or pass --api',
      );
    }
    throw error;
  }
}

const describeQuote = (q: SignedQuote): string =>
  [
    `order     ${q.orderId} (signed by the network ${q.network})`,
    `dataset   ${q.rows} rows from ${q.devices} devices`,
    `price     ${q.amount} base units of ${q.mint} (unit price ${q.unitPrice}, quality ×${(q.multiplierBps / 10_000).toFixed(2)})`,
    `pay to    ${q.treasury} with memo "${q.memo}" before ${new Date(q.expiresAt).toISOString()}`,
  ].join('\n');

async function download(io: CliIo, market: MarketClient, exportId: string, dir: string): Promise<string> {
  const progress = startProgress(io, `export ${exportId}`);
  try {
    await market.waitForExport(exportId, { onProgress: (view) => progress.update(view.rowsWritten) });
  } finally {
    progress.stop();
  }
  const saved = await market.download(exportId, dir);
  return saved.dataPath;
}

export function marketCommand(program: Command, io: CliIo): void {
  const market = program.command('market').description('find, quote, buy and download verifiable datasets');
  withQueryOptions(
    market
      .command('search')
      .description('what the network holds per hardware kind, or one dataset with its price and sample rows')
      .argument('[kind]', HARDWARE_KINDS.join(' | ')),
  ).action(async (kind: string | undefined, options: QueryOptions) => {
    const api = client(io, options.api);
    const answer = await explained('search', (): Promise<unknown> =>
      kind === undefined ? api.overview() : api.search(datasetQuery(kind, options)),
    );
    io.out(JSON.stringify(answer, null, 2));
  });
  withQueryOptions(
    market
      .command('quote')
      .description('a signed quote for a dataset (checked against the network key); nothing is paid')
      .argument('<kind>', HARDWARE_KINDS.join(' | '))
      .option('--json', 'print the quote as JSON'),
  ).action(async (kind: string, options: QueryOptions & { json?: boolean }) => {
    const quote = await explained('quote', () => client(io, options.api).quote(datasetQuery(kind, options)));
    io.out(options.json ? JSON.stringify(quote, null, 2) : describeQuote(quote));
  });
  withQueryOptions(
    market
      .command('buy')
      .description('quote, pay on chain from your wallet, and start the export (then `market download`)')
      .argument('<kind>', HARDWARE_KINDS.join(' | '))
      .requiredOption('--keypair <file>', 'your Solana wallet keypair file (pays the price and the fee)')
      .option('--rpc-url <url>', 'Solana JSON-RPC (default: SOLANA_RPC_URL or the local network’s)')
      .addOption(new Option('--format <format>', 'export format').choices(['csv', 'jsonl', 'parquet']).default('csv'))
      .option('--download <dir>', 'wait for the export and download it into <dir>'),
  ).action(
    async (
      kind: string,
      options: QueryOptions & {
        keypair: string;
        rpcUrl?: string;
        format: 'csv' | 'jsonl' | 'parquet';
        download?: string;
      },
    ) => {
      const api = client(io, options.api);
      const buyer = await readKeypairFile(options.keypair).catch((error: unknown) => {
        throw new CliError(
          (error as Error).message,
          'pass a keypair in the Solana CLI format (a JSON array of 64 bytes)',
        );
      });
      const quote = await explained('quote', () => api.quote(datasetQuery(kind, options)));
      io.err(describeQuote(quote));
      const gateway = new RpcGateway({ url: options.rpcUrl ?? defaultEndpoints(io.env).solanaRpc });
      const paid = await explained('payment', () => payQuote({ gateway, quote, buyer, timeoutMs: 90_000 }));
      io.err(`paid: ${paid.signature}`);
      await explained('payment', () => api.submitPayment(quote.orderId, paid.signature));
      const started = await explained('export', () => api.startExport(quote.orderId, options.format));
      if (options.download === undefined) {
        io.out(
          JSON.stringify({ orderId: quote.orderId, payment: paid.signature, exportId: started.exportId }, null, 2),
        );
        return;
      }
      const file = await explained('download', () => download(io, api, started.exportId, options.download!));
      io.out(`downloaded ${file} and manifest.json; check them with: groundtruth verify-export ${options.download}`);
    },
  );
  market
    .command('download')
    .description('wait for a paid export to finish and download its data file and signed manifest')
    .argument('<export-id>', 'from `market buy`')
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--api <url>', 'market API (default: the local network)')
    .action(async (exportId: string, options: { out: string; api?: string }) => {
      const file = await explained('download', () => download(io, client(io, options.api), exportId, options.out));
      io.out(`downloaded ${file} and manifest.json; check them with: groundtruth verify-export ${options.out}`);
    });
}
