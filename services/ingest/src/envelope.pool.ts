import { Worker } from 'node:worker_threads';
import type { Logger } from '@groundtruth/service-kit';
import type { IncomingMessage } from './envelope.checks.js';
import {
  fromWire,
  openMessages,
  type AsyncVerifier,
  type OpenedMessage,
  type OpenedWire,
  type OpenRules,
} from './envelope.opener.js';

/** Opens batches of messages (see envelope.opener.ts), inline or on worker threads. */
export interface EnvelopeOpener {
  /** `verify[i]` false skips message i's signature check (its device is refused by the registry anyway) */
  open(messages: readonly IncomingMessage[], verify: readonly boolean[]): Promise<OpenedMessage[]>;
  close(): Promise<void>;
}

/** On the event loop, signatures verified concurrently on libuv's thread pool. */
export class InlineOpener implements EnvelopeOpener {
  constructor(
    private readonly rules: OpenRules,
    private readonly verifier: AsyncVerifier,
  ) {}

  async open(messages: readonly IncomingMessage[], verify: readonly boolean[]): Promise<OpenedMessage[]> {
    return fromWire(await openMessages(messages, verify, this.rules, this.verifier), messages);
  }

  async close(): Promise<void> {}
}

export interface OpenRequest {
  readonly id: number;
  readonly messages: readonly { topic: string; at: number; length: number; receivedAt: number }[];
  readonly payloads: ArrayBuffer;
  readonly verify: readonly boolean[];
}

export type OpenResponse =
  { readonly id: number; readonly wire: OpenedWire } | { readonly id: number; readonly error: string };

interface Pending {
  resolve(wire: OpenedWire): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Below this many messages a batch is not split between workers. */
const MIN_CHUNK = 16;

/**
 * Worker threads that open messages, so decoding and verification use every core while the event loop
 * reads MQTT and talks to the database. A batch is split between the workers; a worker that dies fails
 * its chunks (the batch is retried, nothing was acknowledged) and is replaced.
 */
export class WorkerOpener implements EnvelopeOpener {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly rules: OpenRules,
    private readonly logger: Logger,
    private readonly execArgv: string[] | undefined,
  ) {}

  /**
   * Starts `count` workers. `execArgv` defaults to this process's; running from TypeScript sources needs a
   * loader there (the ingest tests pass one).
   */
  static async start(count: number, rules: OpenRules, logger: Logger, execArgv?: string[]): Promise<WorkerOpener> {
    const pool = new WorkerOpener(rules, logger, execArgv);
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  async open(messages: readonly IncomingMessage[], verify: readonly boolean[]): Promise<OpenedMessage[]> {
    if (messages.length === 0) {
      return [];
    }
    const chunks = Math.max(1, Math.min(this.workers.length, Math.floor(messages.length / MIN_CHUNK)));
    const size = Math.ceil(messages.length / chunks);
    const results = await Promise.all(
      Array.from({ length: chunks }, (_, c) => {
        const part = messages.slice(c * size, (c + 1) * size);
        return this.send(part, verify.slice(c * size, (c + 1) * size)).then((wire) => fromWire(wire, part));
      }),
    );
    return results.flat();
  }

  /** Lets every worker finish and exit (terminated after `graceMs` if one does not). */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(
      workers.map(async ({ worker, pending }) => {
        for (const request of pending.values()) {
          request.reject(new Error('the envelope workers are stopped'));
        }
        pending.clear();
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ close: true });
        const timer = setTimeout(() => void worker.terminate(), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private send(messages: readonly IncomingMessage[], verify: readonly boolean[]): Promise<OpenedWire> {
    if (this.closed || this.workers.length === 0) {
      return Promise.reject(new Error('the envelope workers are stopped'));
    }
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const total = messages.reduce((n, m) => n + m.payload.length, 0);
    // A buffer of our own to transfer (the payloads stay here for quarantine rows).
    const payloads = new ArrayBuffer(total);
    const into = new Uint8Array(payloads);
    let at = 0;
    const meta = messages.map((m) => {
      into.set(m.payload, at);
      const entry = { topic: m.topic, at, length: m.payload.length, receivedAt: m.receivedAt };
      at += m.payload.length;
      return entry;
    });
    const id = this.nextId++;
    const request: OpenRequest = { id, messages: meta, payloads, verify };
    return new Promise<OpenedWire>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage(request, [payloads]);
    });
  }

  private async spawn(): Promise<void> {
    const compiled = import.meta.url.endsWith('.js');
    const url = new URL(compiled ? './envelope.worker.js' : './envelope.worker.ts', import.meta.url);
    const worker = new Worker(url, {
      workerData: { rules: this.rules },
      ...(this.execArgv ? { execArgv: this.execArgv } : {}),
    });
    const entry: PoolWorker = { worker, pending: new Map() };
    let ready: () => void = () => undefined;
    worker.on('message', (response: OpenResponse | { ready: true }) => {
      if ('ready' in response) {
        ready();
        return;
      }
      const pending = entry.pending.get(response.id);
      entry.pending.delete(response.id);
      if ('wire' in response) {
        pending?.resolve(response.wire);
      } else {
        pending?.reject(new Error(`envelope worker failed: ${response.error}`));
      }
    });
    const fail = (error: Error) => {
      const index = this.workers.indexOf(entry);
      if (index < 0) {
        return;
      }
      this.workers.splice(index, 1);
      for (const pending of entry.pending.values()) {
        pending.reject(error);
      }
      entry.pending.clear();
      if (!this.closed) {
        this.logger.error('ingest_envelope_worker_died', { error });
        this.respawnSoon();
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`envelope worker exited with code ${code}`)));
    const hint = compiled
      ? ''
      : ' (running from TypeScript sources, worker threads need a loader in workerExecArgv; or set decodeWorkers to 0)';
    await new Promise<void>((resolve, reject) => {
      ready = resolve;
      worker.once('error', (error) => reject(new Error(`envelope worker failed to start${hint}: ${error.message}`)));
      worker.once('exit', (code) =>
        reject(new Error(`envelope worker exited with code ${code} while starting${hint}`)),
      );
    });
    this.workers.push(entry);
  }

  private respawnSoon(): void {
    setTimeout(() => {
      if (!this.closed) {
        this.spawn().catch((error: unknown) => {
          this.logger.error('ingest_envelope_worker_respawn_failed', { error });
          this.respawnSoon();
        });
      }
    }, 1000).unref();
  }
}
