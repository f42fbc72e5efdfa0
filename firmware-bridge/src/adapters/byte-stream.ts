/**
 * The one seam between the adapters and the wire: a duplex stream of bytes. A serial port, a TCP socket
 * (Wi-Fi OBD dongles, ser2net, GNSS over TCP) and an in-memory pipe (tests, large simulated fleets) all
 * look the same to a parser, so adapters are tested on the exact bytes real hardware sends.
 */
export interface ByteStream {
  /** Writes bytes (ASCII text is written as latin1). Writes after close are ignored. */
  write(data: string | Uint8Array): void;
  /** Registers a listener for incoming chunks. Chunk boundaries carry no meaning. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Registers a listener called once when the stream ends (remote closed, port unplugged, or close()). */
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** Opens a fresh stream: adapters call it again to reconnect after a link fault. */
export type ByteStreamFactory = () => Promise<ByteStream>;

/** Base class doing the listener bookkeeping every transport shares. */
export abstract class BaseByteStream implements ByteStream {
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }
  abstract write(data: string | Uint8Array): void;
  abstract close(): Promise<void>;

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }
  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener);
  }
  protected emitData(chunk: Buffer): void {
    if (this.isClosed) {
      return;
    }
    for (const listener of this.dataListeners) {
      listener(chunk);
    }
  }
  protected emitClose(error?: Error): void {
    if (this.isClosed) {
      return;
    }
    this.isClosed = true;
    for (const listener of this.closeListeners) {
      listener(error);
    }
  }
}

export const toBuffer = (data: string | Uint8Array): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

class PipeEnd extends BaseByteStream {
  peer: PipeEnd | undefined;
  constructor(private readonly split: ((chunk: Buffer) => Buffer[]) | undefined) {
    super();
  }
  write(data: string | Uint8Array): void {
    const peer = this.peer;
    if (this.closed || !peer) {
      return;
    }
    const bytes = Buffer.from(toBuffer(data)); // copy: the writer may reuse its buffer
    const chunks = this.split ? this.split(bytes) : [bytes];
    // Delivered on a later turn, like a socket, so request/response code cannot rely on re-entrancy.
    setImmediate(() => {
      for (const chunk of chunks) {
        peer.deliver(chunk);
      }
    });
  }
  deliver(chunk: Buffer): void {
    this.emitData(chunk);
  }
  async close(): Promise<void> {
    this.shut();
    const peer = this.peer;
    if (peer) {
      setImmediate(() => peer.shut());
    }
  }
  shut(): void {
    this.emitClose();
  }
}

export interface BytePipeOptions {
  /**
   * Re-chunks every write, e.g. into random small pieces, to exercise frame reassembly the way a UART
   * with a small FIFO or a TCP stack does.
   */
  readonly split?: (chunk: Buffer) => Buffer[];
}

/** Two connected in-memory stream ends: what one writes, the other reads. Closing one closes both. */
export function createBytePipe(options: BytePipeOptions = {}): [ByteStream, ByteStream] {
  const a = new PipeEnd(options.split);
  const b = new PipeEnd(options.split);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Splits a text stream into lines on CR and/or LF, keeping the unterminated tail; bounded against garbage. */
export class LineSplitter {
  private tail = '';
  constructor(private readonly maxLineLength = 1024) {}

  /** Returns complete lines (without terminators, empty lines dropped) and how many overlong lines it cut. */
  push(chunk: Buffer | string): { lines: string[]; overlong: number } {
    const text = this.tail + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const parts = text.split(/\r\n|\r|\n/);
    this.tail = parts.pop() ?? '';
    let overlong = 0;
    if (this.tail.length > this.maxLineLength) {
      this.tail = '';
      overlong++;
    }
    const lines: string[] = [];
    for (const part of parts) {
      if (part.length > this.maxLineLength) {
        overlong++;
      } else if (part.length > 0) {
        lines.push(part);
      }
    }
    return { lines, overlong };
  }
}
