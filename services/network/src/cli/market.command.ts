import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifyQuoteSignature, type SignedQuote } from '@groundtruth/market';
import { readKeypairFile, REWARD_TOKEN_DECIMALS } from '@groundtruth/programs';
import { HARDWARE_KINDS } from '@groundtruth/protocol';
import { address } from '@solana/kit';
import { Option, type Command } from 'commander';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { payQuote, rpcGateway } from './dataset-payment.js';
import { defaultEndpoints, target } from './endpoints.js';
import { requestJson, type ApiTarget } from './http-client.js';
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

interface ExportView {
  exportId: string;
  orderId: string;
  format: string;
  state: string;
  rowsExpected: number;
  rowsWritten: number;
  error: string | null;
  manifest: { file: { name: string } } | null;
  files: { data: string; manifest: string } | null;
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
    .option('--min-quality <0..1>', "only rows of devices whose epoch quality reaches it")
    .option('--exclude-flagged', 'leave out rows that quality checks flagged');
}

function datasetQuery(kind: string, options: QueryOptions): Record<string, string | boolean> {
  if (!(HARDWARE_KINDS as readonly string[]).includes(kind)) {
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
  };
}

const marketTarget = (io: CliIo, api?: string): ApiTarget =>
  target('market', api ?? defaultEndpoints(io.env).market);

/** Asks for a quote and checks it is signed by the network key the market publishes. */
async function signedQuote(api: ApiTarget, query: Record<string, string | boolean>): Promise<SignedQuote> {
  const quote = await requestJson<SignedQuote>(api, 'POST', 'quotes', query);
  const { publicKey } = await requestJson<{ publicKey: string }>(api, 'GET', 'network-key');
  if (!verifyQuoteSignature(quote, publicKey)) {
    throw new CliError(`the quote ${quote.orderId} is not signed by the network key ${publicKey}`, 'do not pay it');
  }
  return quote;
}

const describeQuote = (q: SignedQuote): string =>
  [
    `order     ${q.orderId} (signed by the network ${q.network})`,
    `dataset   ${q.rows} rows from ${q.devices} devices`,
    `price     ${q.amount} base units of ${q.mint} (unit price ${q.unitPrice}, quality ×${(q.multiplierBps / 10_000).toFixed(2)})`,
    `pay to    ${q.treasury} with memo "${q.memo}" before ${new Date(q.expiresAt).toISOString()}`,
  ].join('\n');

async function download(io: CliIo, api: ApiTarget, exportId: string, outDir: string): Promise<string> {
  const progress = startProgress(io, `export ${exportId}`);
  let view: ExportView;
  for (;;) {
    view = await requestJson<ExportView>(api, 'GET', `exports/${exportId}`);
    progress.update(view.rowsWritten);
    if (view.state === 'done' || view.state === 'failed') {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  progress.stop();
  if (view.state === 'failed' || view.manifest === null || view.files === null) {
    throw new CliError(`export ${exportId} failed: ${view.error ?? 'no manifest'}`, 'ask the market for a new export');
  }
  await mkdir(outDir, { recursive: true });
  const dataFile = path.join(outDir, path.basename(view.manifest.file.name));
  const response = await fetch(new URL(view.files.data, api.base));
  if (!response.ok || response.body === null) {
    throw new CliError(`downloading ${view.files.data} failed: HTTP ${response.status}`);
  }
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(dataFile));
  const manifest = await requestJson<unknown>(api, 'GET', view.files.manifest.replace(/^\//, ''));
  await writeFile(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dataFile;
}

export function marketCommand(program: Command, io: CliIo): void {
  const market = program.command('market').description('find, quote, buy and download verifiable datasets');
  withQueryOptions(
    market
      .command('search')
      .description('what the network holds per hardware kind, or one dataset with its price and sample rows')
      .argument('[kind]', HARDWARE_KINDS.join(' | ')),
  ).action(async (kind: string | undefined, options: QueryOptions) => {
    const api = marketTarget(io, options.api);
    if (kind === undefined) {
      io.out(JSON.stringify(await requestJson(api, 'GET', 'datasets'), null, 2));
      return;
    }
    const { kind: _kind, ...query } = datasetQuery(kind, options);
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    io.out(JSON.stringify(await requestJson(api, 'GET', `datasets/${kind}?${search}`), null, 2));
  });
  withQueryOptions(
    market
      .command('quote')
      .description('a signed quote for a dataset (checked against the network key); nothing is paid')
      .argument('<kind>', HARDWARE_KINDS.join(' | '))
      .option('--json', 'print the quote as JSON'),
  ).action(async (kind: string, options: QueryOptions & { json?: boolean }) => {
    const quote = await signedQuote(marketTarget(io, options.api), datasetQuery(kind, options));
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
    async (kind: string, options: QueryOptions & { keypair: string; rpcUrl?: string; format: string; download?: string }) => {
      const api = marketTarget(io, options.api);
      const buyer = await readKeypairFile(options.keypair).catch((error: unknown) => {
        throw new CliError((error as Error).message, 'pass a keypair in the Solana CLI format (a JSON array of 64 bytes)');
      });
      const quote = await signedQuote(api, datasetQuery(kind, options));
      io.err(describeQuote(quote));
      const signature = await payQuote(
        buyer,
        {
          amount: BigInt(quote.amount),
          mint: address(quote.mint),
          treasury: address(quote.treasury),
          memo: quote.memo,
          decimals: REWARD_TOKEN_DECIMALS,
        },
        rpcGateway(options.rpcUrl ?? defaultEndpoints(io.env).solanaRpc),
      );
      io.err(`paid: ${signature}`);
      await requestJson(api, 'POST', `orders/${quote.orderId}/payment`, { signature });
      const started = await requestJson<ExportView>(api, 'POST', `orders/${quote.orderId}/exports`, {
        format: options.format,
      });
      if (options.download === undefined) {
        io.out(JSON.stringify({ orderId: quote.orderId, payment: signature, exportId: started.exportId }, null, 2));
        return;
      }
      const file = await download(io, api, started.exportId, options.download);
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
      const file = await download(io, marketTarget(io, options.api), exportId, options.out);
      io.out(`downloaded ${file} and manifest.json; check them with: groundtruth verify-export ${options.out}`);
    });
}
