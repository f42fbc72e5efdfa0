import type { DatasetQueryInput } from '../core/dataset-query.js';
import type { ExportFormat } from '../core/manifest.js';
import type { SignedQuote } from '../core/quote.js';
import type { ExportView } from '../exports.service.js';
import type { OrderView } from '../payments.service.js';
import { verifyExport, type VerifyExportReport } from '../verify/verify-export.js';
import type { DownloadedExport, MarketClient } from './market-client.js';

export type BuyProgress =
  | { readonly step: 'quoted'; readonly quote: SignedQuote }
  | { readonly step: 'paid'; readonly order: OrderView }
  | { readonly step: 'exporting'; readonly export: ExportView }
  | { readonly step: 'downloaded'; readonly files: DownloadedExport }
  | { readonly step: 'verified'; readonly report: VerifyExportReport };

export interface Purchase {
  readonly quote: SignedQuote;
  readonly order: OrderView;
  readonly export: ExportView;
  readonly files: DownloadedExport;
  /** present unless `verify: false` */
  readonly report?: VerifyExportReport;
}

/**
 * The whole buyer flow: quote → pay on chain (the caller's `pay`, e.g. {@link payQuote} with the buyer's
 * wallet) → submit the payment → export → download into `dir` → verify-export against the network key that
 * signed the quote. Refusals surface as MarketApiError (UNDERPAID, QUOTE_EXPIRED, …) or MarketError.
 *
 * @example
 * const purchase = await buyDataset({
 *   client, query, dir: 'weather-2026-03-10', format: 'csv',
 *   pay: async (quote) => (await payQuote({ gateway, quote, buyer })).signature,
 * });
 */
export async function buyDataset(input: {
  readonly client: MarketClient;
  readonly query: DatasetQueryInput;
  readonly dir: string;
  readonly pay: (quote: SignedQuote) => Promise<string>;
  readonly format?: ExportFormat;
  readonly verify?: boolean;
  readonly onProgress?: (progress: BuyProgress) => void;
  readonly pollMs?: number;
}): Promise<Purchase> {
  const { client, onProgress } = input;
  const quote = await client.quote(input.query);
  onProgress?.({ step: 'quoted', quote });
  const signature = await input.pay(quote);
  const order = await client.submitPayment(quote.orderId, signature);
  onProgress?.({ step: 'paid', order });
  const started = await client.startExport(quote.orderId, input.format ?? 'csv');
  const done = await client.waitForExport(started.exportId, {
    ...(input.pollMs === undefined ? {} : { intervalMs: input.pollMs }),
    onProgress: (view) => onProgress?.({ step: 'exporting', export: view }),
  });
  const files = await client.download(done.exportId, input.dir);
  onProgress?.({ step: 'downloaded', files });
  if (input.verify === false) {
    return { quote, order, export: done, files };
  }
  const report = await verifyExport(files.dir, { networkKey: quote.network });
  onProgress?.({ step: 'verified', report });
  return { quote, order, export: done, files, report };
}
