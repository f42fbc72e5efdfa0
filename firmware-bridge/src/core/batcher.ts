export interface BatcherOptions {
  /** seal as soon as this many items wait */
  readonly maxItems: number;
  /** ... or this long after the first one arrived */
  readonly maxAgeMs: number;
}

/**
 * Collects items into groups by count or age, whichever comes first, and hands each group to `seal` in
 * arrival order. Uses the global timer functions, so fake timers drive it in tests.
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: BatcherOptions,
    private readonly seal: (items: T[]) => void,
  ) {
    if (!Number.isInteger(options.maxItems) || options.maxItems < 1) {
      throw new RangeError('maxItems must be a positive integer');
    }
    if (!(options.maxAgeMs >= 0)) {
      throw new RangeError('maxAgeMs must not be negative');
    }
  }

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.options.maxItems) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.maxAgeMs);
    }
  }

  /** Seals whatever waits now (on shutdown, or before a state change that must not split a group). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length > 0) {
      const items = this.items;
      this.items = [];
      this.seal(items);
    }
  }

  /** Stops the age timer without sealing (the waiting items are dropped by the caller's decision). */
  cancel(): T[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items;
    this.items = [];
    return items;
  }
}
