import type { ByteStream, ByteStreamFactory } from './byte-stream.js';

export interface StreamSupervisorOptions {
  /** wait before reopening after the stream closed or failed to open (ms, default 1000) */
  readonly retryMs?: number;
  /** told when reopening fails (the supervisor keeps trying) */
  readonly onOpenError?: (error: Error) => void;
}

/**
 * Keeps a stream open for a push-style device (P1 meter, GNSS receiver): opens it, hands every new stream
 * to `attach`, and reopens it after a USB unplug or a dropped TCP connection until stopped.
 */
export class StreamSupervisor {
  private stream: ByteStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly open: ByteStreamFactory,
    private readonly attach: (stream: ByteStream) => void,
    private readonly options: StreamSupervisorOptions = {},
  ) {}

  /** Opens the first stream; rejects when that fails, so a wrong port is reported at start. */
  async start(): Promise<void> {
    this.stopped = false;
    this.adopt(await this.open());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close();
  }

  get connected(): boolean {
    return this.stream !== undefined && !this.stream.closed;
  }

  private adopt(stream: ByteStream): void {
    if (this.stopped) {
      void stream.close();
      return;
    }
    this.stream = stream;
    stream.onClose(() => {
      if (this.stream === stream) {
        this.stream = undefined;
        this.scheduleReopen();
      }
    });
    this.attach(stream);
  }

  private scheduleReopen(): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.open().then(
        (stream) => this.adopt(stream),
        (error: Error) => {
          this.options.onOpenError?.(error);
          this.scheduleReopen();
        },
      );
    }, this.options.retryMs ?? 1000);
  }
}
