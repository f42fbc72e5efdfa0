import { Worker } from 'node:worker_threads';
import type { PublisherJob, PublisherMessage } from './publisher.worker.js';

export interface PublisherResult {
  readonly messages: number;
  /** when each message was due (paced runs only), in plan order */
  readonly scheduledAt: Float64Array | undefined;
  readonly publishMs: number;
}

export interface PublisherFleet {
  readonly messages: number;
  readonly bytes: number;
  /** starts every thread at the same moment; resolves when all messages were acknowledged by the broker */
  go(delayMs?: number): Promise<{ startedAt: number; results: PublisherResult[] }>;
  terminate(): Promise<void>;
}

/**
 * Publisher threads for load runs: each signs its plan first (reported as `ready`), then publishes on `go`.
 * Runs from the built package (dist/loadgen/publisher.worker.js).
 */
export async function startPublishers(jobs: readonly PublisherJob[]): Promise<PublisherFleet> {
  const url = new URL('./publisher.worker.js', import.meta.url);
  const workers = jobs.map((job) => new Worker(url, { workerData: job }));
  const next = (worker: Worker) =>
    new Promise<PublisherMessage>((resolve, reject) => {
      worker.once('message', (message: PublisherMessage) =>
        message.type === 'error' ? reject(new Error(`publisher failed: ${message.message}`)) : resolve(message),
      );
      worker.once('error', reject);
    });
  const terminate = async () => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  let ready: PublisherMessage[];
  try {
    ready = await Promise.all(workers.map(next));
  } catch (error) {
    await terminate();
    throw error;
  }
  const sum = (key: 'messages' | 'bytes') => ready.reduce((n, m) => n + (m.type === 'ready' ? m[key] : 0), 0);
  return {
    messages: sum('messages'),
    bytes: sum('bytes'),
    async go(delayMs = 20) {
      const startedAt = Date.now() + delayMs;
      const done = workers.map(next);
      for (const worker of workers) {
        worker.postMessage({ at: startedAt });
      }
      const finished = await Promise.all(done);
      const results = finished.map((message, i) => {
        if (message.type !== 'done') {
          throw new Error(`publisher ${i} ended with ${message.type}`);
        }
        const messages = ready[i]!.type === 'ready' ? (ready[i] as { messages: number }).messages : 0;
        return { messages, scheduledAt: message.scheduledAt, publishMs: message.publishMs };
      });
      return { startedAt, results };
    },
    terminate,
  };
}
