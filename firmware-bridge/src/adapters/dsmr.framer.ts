import type { FrameError } from './frame-result.js';

export type FramerEvent = { readonly telegram: string } | { readonly error: FrameError };

/**
 * Reassembles P1 telegrams from a byte stream whose chunks split anywhere (a UART delivers a few bytes at a
 * time). A telegram runs from `/` to the line ending after `!CRC`. Bytes outside a telegram are noise (counted
 * as garbage unless whitespace); a new `/` before the `!` means the previous telegram was cut off. Pure.
 */
export class DsmrFramer {
  private buffer = '';

  constructor(private readonly maxTelegramBytes = 16_384) {}

  push(chunk: Buffer | string): FramerEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const events: FramerEvent[] = [];
    for (;;) {
      const start = this.buffer.indexOf('/');
      if (start < 0) {
        this.discard(this.buffer.length, events);
        return events;
      }
      this.discard(start, events);
      const bang = this.buffer.indexOf('!');
      const nextStart = this.buffer.indexOf('/', 1);
      if (nextStart > 0 && (bang < 0 || nextStart < bang)) {
        events.push({ error: { reason: 'truncated', detail: `telegram cut off after ${nextStart} bytes` } });
        this.buffer = this.buffer.slice(nextStart);
        continue;
      }
      if (bang < 0) {
        if (this.buffer.length > this.maxTelegramBytes) {
          events.push({
            error: { reason: 'garbage', detail: `no telegram end within ${this.maxTelegramBytes} bytes` },
          });
          this.buffer = '';
        }
        return events;
      }
      const lineEnd = this.buffer.indexOf('\n', bang);
      if (lineEnd < 0) {
        // CRC line not complete yet; DSMR 5 ends it with CR LF. A missing LF after a long tail is not waited for.
        if (this.buffer.length - bang <= 8) {
          return events;
        }
        events.push({ telegram: this.buffer.slice(0, bang + 7) });
        this.buffer = this.buffer.slice(bang + 7);
        continue;
      }
      events.push({ telegram: this.buffer.slice(0, lineEnd + 1) });
      this.buffer = this.buffer.slice(lineEnd + 1);
    }
  }

  private discard(count: number, events: FramerEvent[]): void {
    const dropped = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    if (/\S/.test(dropped)) {
      events.push({ error: { reason: 'garbage', detail: `${dropped.length} bytes outside a telegram` } });
    }
  }
}
