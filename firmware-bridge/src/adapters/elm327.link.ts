import type { ByteStream } from './byte-stream.js';
import { accept, refuse, type FrameResult } from './frame-result.js';

/**
 * The ELM327 command/prompt dialogue over a byte stream: write `<command>\r`, collect everything up to the
 * `>` prompt. One command at a time (the ELM327 aborts a running command — `STOPPED` — on any new input).
 */
export class ElmLink {
  private buffer = '';
  private pending: { resolve: (reply: FrameResult<string>) => void; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly stream: ByteStream) {
    stream.onData((chunk) => this.receive(chunk.toString('latin1')));
    stream.onClose(() => this.settle(refuse('timeout', 'link closed')));
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  /** Sends a command; resolves with the raw reply (without the prompt), or a `timeout` error. Never rejects. */
  command(command: string, timeoutMs: number): Promise<FrameResult<string>> {
    if (this.pending) {
      return Promise.resolve(refuse('bad_request', `command "${command}" while another is running`));
    }
    if (this.stream.closed) {
      return Promise.resolve(refuse('timeout', 'link closed'));
    }
    this.buffer = ''; // anything unsolicited before our command is stale
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.settle(refuse('timeout', `no prompt after "${command}" in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = { resolve, timer };
      this.stream.write(`${command}\r`);
    });
  }

  async close(): Promise<void> {
    this.settle(refuse('timeout', 'link closed'));
    await this.stream.close();
  }

  private receive(text: string): void {
    this.buffer += text;
    const prompt = this.buffer.indexOf('>');
    if (prompt >= 0 && this.pending) {
      const reply = this.buffer.slice(0, prompt);
      this.buffer = this.buffer.slice(prompt + 1);
      this.settle(accept(reply));
    } else if (this.buffer.length > 65_536) {
      this.buffer = this.buffer.slice(-4096); // a babbling device must not grow memory without bound
    }
  }

  private settle(reply: FrameResult<string>): void {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      clearTimeout(pending.timer);
      pending.resolve(reply);
    }
  }
}
