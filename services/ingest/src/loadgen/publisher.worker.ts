import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { signPlan, type LoadPlan } from './envelopes.js';

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

async function run(job: PublisherJob): Promise<void> {
  const port = parentPort!;
  const messages = signPlan(job.plan);
  const client = await mqtt.connectAsync(job.mqttUrl, {
    clientId: job.clientId,
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  port.postMessage({
    type: 'ready',
    messages: messages.length,
    bytes: messages.reduce((n, m) => n + m.payload.length, 0),
  });
  const startAt = await new Promise<number>((resolve) => port.once('message', (go: { at: number }) => resolve(go.at)));
  while (Date.now() < startAt) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const started = performance.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const acked = (error?: Error) => {
    failure ??= error;
    inFlight--;
    wake?.();
  };
  const room = () => new Promise<void>((resolve) => (wake = resolve));
  const scheduledAt = job.ratePerS === undefined ? undefined : new Float64Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    if (scheduledAt !== undefined) {
      // Coordinated-omission free: latency is measured from when the message was due, not when it went out.
      const due = startAt + (i * 1000) / job.ratePerS!;
      scheduledAt[i] = due;
      while (Date.now() < due) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(5, due - Date.now()))));
      }
    }
    while (inFlight >= job.window) {
      await room();
    }
    inFlight++;
    client.publish(messages[i]!.topic, messages[i]!.payload, { qos: 1 }, acked);
  }
  while (inFlight > 0) {
    await room();
  }
  if (failure) {
    throw failure;
  }
  const publishMs = performance.now() - started;
  await client.endAsync();
  port.postMessage({ type: 'done', scheduledAt, publishMs }, scheduledAt ? [scheduledAt.buffer] : []);
}

run(workerData as PublisherJob).catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
});
