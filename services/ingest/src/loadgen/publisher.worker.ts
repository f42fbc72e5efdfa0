import { parentPort, workerData } from 'node:worker_threads';
import { signPlan, type LoadPlan } from './envelopes.js';
import { encodePublishFrame, RawPublisher } from './raw-publisher.js';

/** What a publisher thread is asked to do (see publishers.ts). */
export interface PublisherJob {
  readonly mqttUrl: string;
  readonly clientId: string;
  readonly plan: LoadPlan;
  /** QoS 1 messages in flight at most */
  readonly window: number;
  /** messages per second, paced; unset = as fast as the broker takes them */
  readonly ratePerS?: number;
}

export type PublisherMessage =
  | { readonly type: 'ready'; readonly messages: number; readonly bytes: number }
  | { readonly type: 'done'; readonly scheduledAt: Float64Array | undefined; readonly publishMs: number }
  | { readonly type: 'error'; readonly message: string };

/** Frames written per socket write when not paced. */
const CHUNK = 64;

async function run(job: PublisherJob): Promise<void> {
  const port = parentPort!;
  // Everything is signed and encoded before the clock starts: the run measures the network side.
  const frames = signPlan(job.plan).map((m) => encodePublishFrame(m.topic, m.payload));
  const publisher = await RawPublisher.connect(job.mqttUrl, job.clientId);
  port.postMessage({
    type: 'ready',
    messages: frames.length,
    bytes: frames.reduce((n, f) => n + f.bytes.length, 0),
  });
  const startAt = await new Promise<number>((resolve) => port.once('message', (go: { at: number }) => resolve(go.at)));
  while (Date.now() < startAt) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const started = performance.now();
  let scheduledAt: Float64Array | undefined;
  if (job.ratePerS === undefined) {
    for (let i = 0; i < frames.length; i += CHUNK) {
      await publisher.send(frames.slice(i, i + CHUNK), job.window);
    }
  } else {
    // Coordinated-omission free: latency is measured from when a message was due, not when it went out.
    const due = new Float64Array(frames.length);
    for (let i = 0; i < frames.length; i++) {
      due[i] = startAt + (i * 1000) / job.ratePerS;
    }
    scheduledAt = due;
    let next = 0;
    while (next < frames.length) {
      const now = Date.now();
      if (due[next]! > now) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(5, due[next]! - now)));
        continue;
      }
      let end = next;
      while (end < frames.length && due[end]! <= now) {
        end++;
      }
      await publisher.send(frames.slice(next, end), job.window);
      next = end;
    }
  }
  await publisher.drain();
  const publishMs = performance.now() - started;
  await publisher.close();
  port.postMessage({ type: 'done', scheduledAt, publishMs }, scheduledAt ? [scheduledAt.buffer as ArrayBuffer] : []);
}

run(workerData as PublisherJob).catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
});
