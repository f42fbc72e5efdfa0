import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Where an export's bytes go: a Writable (file, HTTP response), with backpressure (a write resolves once
 * the stream wants more), a byte count and a running SHA-256 for the manifest.
 */
export class ByteSink {
  private readonly digest: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly out: Writable) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buffer.length === 0) {
      return;
    }
    this.digest.update(buffer);
    this.bytes += buffer.length;
    if (!this.out.write(buffer)) {
      await this.drained();
      if (this.out.destroyed) {
        throw new Error('the export stream closed before the export finished');
      }
    }
  }

  /** Resolves on 'drain' or 'close', whichever comes first, and leaves no listener behind. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
  }

  /** Ends the stream and waits until it has flushed (file closed, response sent). */
  async end(): Promise<void> {
    if (this.out.writableFinished) {
      return;
    }
    const finished = once(this.out, 'finish');
    this.out.end();
    await finished;
  }

  sha256(): string {
    return this.digest.copy().digest('hex');
  }
}
