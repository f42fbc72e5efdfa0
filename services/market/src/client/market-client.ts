import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CatalogueService, DatasetDescription } from '../catalogue.service.js';
import type { DatasetQueryInput } from '../core/dataset-query.js';
import type { ExportFormat, SignedManifest } from '../core/manifest.js';
import { MarketError } from '../core/market-error.js';
import { verifyQuoteSignature, type SignedQuote } from '../core/quote.js';
import type { KindOverview } from '../db/catalogue.repository.js';
import type { ExportView } from '../exports.service.js';
import type { RevenueView } from '../owners.service.js';
import type { OrderView } from '../payments.service.js';

export type NetworkKeyView = ReturnType<CatalogueService['networkKey']>;

/**
 * An error answer of the market API: `{ error: { code, message, details } }` with its HTTP status. `code` is
 * a market error code (UNDERPAID, NOT_PAID, …) or one of the edge's own (BAD_QUERY, NOT_FOUND, INTERNAL).
 */
export class MarketApiError extends Error {
  override readonly name = 'MarketApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export interface MarketClientOptions {
  /** e.g. `http://127.0.0.1:8084` */
  readonly baseUrl: string;
  /**
   * the network key the buyer trusts (base58): quotes must be signed by it. Without it the key is fetched from
   * `GET /network-key` once (trust on first use).
   */
  readonly networkKey?: string;
  readonly fetch?: typeof fetch;
}

export interface DownloadedExport {
  readonly dir: string;
  readonly dataPath: string;
  readonly manifestPath: string;
  readonly manifest: SignedManifest;
  readonly bytes: number;
}

/** The dataset query as the catalogue's query string (lists comma-separated). */
export function datasetQueryString(query: Omit<DatasetQueryInput, 'kind'>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) {
      continue;
    }
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params.toString();
}

/**
 * A small typed client of the market's HTTP API: what the `groundtruth market` commands and buyers' scripts
 * call. Every error answer becomes a {@link MarketApiError}; quotes are checked against the network key.
 *
 * @example
 * const market = new MarketClient({ baseUrl: 'http://127.0.0.1:8084', networkKey });
 * const quote = await market.quote({ kind: 'weather', from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' });
 */
export class MarketClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private trustedKey: string | undefined;

  constructor(options: MarketClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.trustedKey = options.networkKey;
  }

  /** The network's public key (it signs quotes and manifests). */
  networkKey(): Promise<NetworkKeyView> {
    return this.json('GET', '/network-key');
  }

  /** Rows, devices and time range per hardware kind. */
  overview(): Promise<KindOverview[]> {
    return this.json('GET', '/datasets');
  }

  /** What a query holds: rows, devices, time range, today's price and a few free sample rows. */
  search(query: DatasetQueryInput): Promise<DatasetDescription> {
    const { kind, ...rest } = query;
    const qs = datasetQueryString(rest);
    return this.json('GET', `/datasets/${encodeURIComponent(kind)}${qs === '' ? '' : `?${qs}`}`);
  }

  /** A signed quote (an order): verified against the trusted network key, else BAD_QUOTE_SIGNATURE. */
  async quote(query: DatasetQueryInput): Promise<SignedQuote> {
    const quote = await this.json<SignedQuote>('POST', '/quotes', query);
    this.trustedKey ??= (await this.networkKey()).publicKey;
    if (!verifyQuoteSignature(quote, this.trustedKey)) {
      throw new MarketError('BAD_QUOTE_SIGNATURE', `the quote is not signed by the network key ${this.trustedKey}`, {
        orderId: quote.orderId,
      });
    }
    return quote;
  }

  order(orderId: string): Promise<OrderView> {
    return this.json('GET', `/orders/${orderId}`);
  }

  /** Hands the payment transaction to the market, which verifies it on chain; the paid order, or the refusal. */
  submitPayment(orderId: string, signature: string): Promise<OrderView> {
    return this.json('POST', `/orders/${orderId}/payment`, { signature });
  }

  startExport(orderId: string, format: ExportFormat = 'csv'): Promise<ExportView> {
    return this.json('POST', `/orders/${orderId}/exports`, { format });
  }

  exportStatus(exportId: string): Promise<ExportView> {
    return this.json('GET', `/exports/${exportId}`);
  }

  /** Polls an export until it is done (resolves) or failed (EXPORT_FAILED), reporting progress on the way. */
  async waitForExport(
    exportId: string,
    options: { intervalMs?: number; timeoutMs?: number; onProgress?: (view: ExportView) => void } = {},
  ): Promise<ExportView> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const view = await this.exportStatus(exportId);
      options.onProgress?.(view);
      if (view.state === 'done') {
        return view;
      }
      if (view.state === 'failed') {
        throw new MarketApiError(500, 'EXPORT_FAILED', view.error ?? 'the export failed', { exportId });
      }
      if (Date.now() >= deadline) {
        throw new MarketApiError(504, 'EXPORT_TIMEOUT', `export ${exportId} still running`, { exportId });
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }

  manifest(exportId: string): Promise<SignedManifest> {
    return this.json('GET', `/exports/${exportId}/manifest.json`);
  }

  /**
   * Downloads a finished export into `dir` as `verify-export` expects it: the data file under the name the
   * manifest gives, streamed to disk, and `manifest.json` beside it.
   */
  async download(exportId: string, dir: string): Promise<DownloadedExport> {
    const manifest = await this.manifest(exportId);
    await mkdir(dir, { recursive: true });
    const dataPath = join(dir, basename(manifest.file.name));
    const response = await this.send('GET', `/exports/${exportId}/data`);
    if (response.body === null) {
      throw new MarketApiError(response.status, 'EMPTY_RESPONSE', 'the data file came without a body');
    }
    const temp = `${dataPath}.part`;
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(temp));
    await rename(temp, dataPath);
    const manifestPath = join(dir, 'manifest.json');
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    return { dir, dataPath, manifestPath, manifest, bytes: manifest.file.bytes };
  }

  /** A device's share of each sale (paid to its owner with the next epoch). */
  deviceRevenue(device: string): Promise<RevenueView> {
    return this.json('GET', `/devices/${device}/revenue`);
  }

  ownerRevenue(wallet: string): Promise<RevenueView> {
    return this.json('GET', `/owners/${wallet}/revenue`);
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await this.fetchFn(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const text = await response.text();
      let error: { code?: unknown; message?: unknown; details?: unknown } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
      } catch {
        error = undefined;
      }
      const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
      const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
      throw new MarketApiError(
        response.status,
        code,
        message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message,
        typeof error?.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {},
      );
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.send(method, path, body)).json()) as T;
  }
}
