export interface BatchLimits {
  /** a batch is sealed at this many items... */
  readonly maxMessages: number;
  /** ...or this many payload bytes... */
  readonly maxBytes: number;
  /** ...or when its first item is this old (ms) */
  readonly maxAgeMs: number;
  /** sealed batches processed at once; beyond that, the producer is paused */
  readonly maxInFlight: number;
}

export interface CollectorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CollectorEvents {
  /** the producer was told to wait (a batch is sealed and no slot is free) */
  onPause?(): void;
  onResume?(): void;
  /** a dispatch rejected; dispatchers are expected to retry internally and resolve */
  onDispatchError?(error: unknown): void;
}

export interface CollectorStats {
  readonly open: number;
  readonly waiting: number;
  readonly inFlight: number;
  readonly paused: boolean;
}

/**
 * Groups items into batches by count, bytes and age, runs at most `maxInFlight` batches at once, and applies
 * backpressure: while a sealed batch waits for a slot, `add` does not call `resume`, so the producer (the
 * MQTT packet pump) stops reading until the writer catches up. No I/O; timers are injectable for tests.
 */
export class BatchCollector<T> {
  private open: T[] = [];
  private openBytes = 0;
  private timer: unknown;
  private readonly waiting: T[][] = [];
  private inFlight = 0;
  private held: (() => void)[] = [];
  private idle: (() => void)[] = [];

  constructor(
    private readonly limits: BatchLimits,
    private readonly dispatch: (items: T[]) => Promise<void>,
    private readonly events: CollectorEvents = {},
    private readonly timers: CollectorTimers = globalThis,
  ) {}

  /** Adds an item; `resume` is called when the producer may deliver the next one (now, or once a slot frees). */
  add(item: T, bytes: number, resume: () => void): void {
    this.open.push(item);
    this.openBytes += bytes;
    if (this.open.length === 1) {
      this.timer = this.timers.setTimeout(() => this.seal(), this.limits.maxAgeMs);
    }
    if (this.open.length >= this.limits.maxMessages || this.openBytes >= this.limits.maxBytes) {
      this.seal();
    }
    if (this.waiting.length === 0) {
      resume();
      return;
    }
    if (this.held.length === 0) {
      this.events.onPause?.();
    }
    this.held.push(resume);
  }

  /** Seals the open batch now (e.g. at shutdown). */
  seal(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.open.length === 0) {
      return;
    }
    this.waiting.push(this.open);
    this.open = [];
    this.openBytes = 0;
    this.pump();
  }

  /** Resolves once nothing is open, waiting or in flight (seal first to include the open batch). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idle.push(resolve));
  }

  get stats(): CollectorStats {
    return {
      open: this.open.length,
      waiting: this.waiting.length,
      inFlight: this.inFlight,
      paused: this.held.length > 0,
    };
  }

  private isIdle(): boolean {
    return this.open.length === 0 && this.waiting.length === 0 && this.inFlight === 0;
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      this.inFlight++;
      const done = () => {
        this.inFlight--;
        this.pump();
      };
      this.dispatch(batch).then(done, (error: unknown) => {
        this.events.onDispatchError?.(error);
        done();
      });
    }
    if (this.waiting.length === 0 && this.held.length > 0) {
      const held = this.held;
      this.held = [];
      this.events.onResume?.();
      for (const resume of held) {
        resume();
      }
    }
    if (this.isIdle() && this.idle.length > 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) {
        resolve();
      }
    }
  }
}
