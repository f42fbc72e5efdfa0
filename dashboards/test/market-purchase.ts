/**
 * A model trainer buys the replayed hour of weather data through the market's HTTP API: signed quote, payment in
 * the reward token on LiteSVM, a CSV export, the download. The sale's device share becomes reward credits the
 * next epoch close pays out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestChain } from './chain.js';

interface Json {
  readonly [key: string]: unknown;
}

async function call(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text) as Json;
}

export interface Purchase {
  readonly orderId: string;
  readonly rows: number;
  readonly bytes: number;
}

export async function buyDataset(
  baseUrl: string,
  chain: TestChain,
  query: { kind: string; from: number; to: number },
): Promise<Purchase> {
  const quote = await call(baseUrl, 'POST', '/quotes', {
    kind: query.kind,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
  });
  const orderId = String(quote.orderId);
  const signature = await chain.pay(BigInt(String(quote.amount)), String(quote.memo));
  const paid = await call(baseUrl, 'POST', `/orders/${orderId}/payment`, { signature });
  if (paid.status !== 'paid') {
    throw new Error(`order ${orderId} not paid: ${JSON.stringify(paid)}`);
  }
  const started = await call(baseUrl, 'POST', `/orders/${orderId}/exports`, { format: 'csv' });
  const exportId = String(started.exportId);
  for (let i = 0; i < 300; i++) {
    const state = await call(baseUrl, 'GET', `/exports/${exportId}`);
    if (state.state === 'done') {
      const files = state.files as { data: string };
      const data = await fetch(baseUrl + files.data);
      const bytes = (await data.arrayBuffer()).byteLength;
      return { orderId, rows: Number(state.rowsWritten), bytes };
    }
    if (state.state !== 'running') {
      throw new Error(`export ${exportId}: ${JSON.stringify(state)}`);
    }
    await sleep(50);
  }
  throw new Error(`export ${exportId} did not finish`);
}
