/** What the window needs to know of a record it tracks. */
export interface WindowRecord {
  readonly lastSeq: number;
  readonly count: number;
}

interface Slot<T> {
  readonly record: T;
  /** sent on the current connection and not answered yet */
  inFlight: boolean;
  acked: boolean;
  /** times sent, over all connections */
  sends: number;
  /** connection generation of the latest send: answers from an older connection are ignored */
  generation: number;
}

/** Outcome of an acknowledgement: how far, in order, everything is now done. */
export interface Advance {
  readonly throughSeq: number;
  readonly readings: number;
}

/**
 * The publisher's unacknowledged window (pure logic). It keeps records in send order, limits how many are in
 * flight to the broker's Receive Maximum (MQTT 5 CONNACK) and the configured maximum, and advances the durable
 * cursor only over a contiguous acknowledged prefix, so a PUBACK out of order never lets the cursor pass a
 * record the broker has not confirmed.
 */
export class InflightWindow<T extends WindowRecord> {
  private slots: Slot<T>[] = [];
  private readonly byRecord = new Map<T, Slot<T>>();
  private inFlightCount = 0;
  /** slots neither in flight nor acknowledged: they wait for a resend */
  private waitingCount = 0;
  private limitValue: number;
  private generationValue = 0;

  constructor(private readonly configuredMax: number) {
    if (!Number.isInteger(configuredMax) || configuredMax < 1) {
      throw new RangeError('the in-flight maximum must be a positive integer');
    }
    this.limitValue = configuredMax;
  }

  /** Called on every CONNACK: the broker's Receive Maximum (absent = 65,535) caps the window. */
  connected(receiveMaximum: number | undefined): void {
    this.generationValue++;
    this.limitValue = Math.max(1, Math.min(this.configuredMax, receiveMaximum ?? 65_535));
  }

  /** The connection is gone: nothing is in flight any more, every unacknowledged record must be sent again. */
  disconnected(): void {
    this.generationValue++;
    for (const slot of this.slots) {
      slot.inFlight = false;
    }
    this.inFlightCount = 0;
    this.waitingCount = this.slots.filter((slot) => !slot.acked).length;
  }

  get generation(): number {
    return this.generationValue;
  }

  get limit(): number {
    return this.limitValue;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Records held (in flight, waiting for a resend, or acknowledged behind an unacknowledged one). */
  get held(): number {
    return this.slots.length;
  }

  get hasRoom(): boolean {
    return this.inFlightCount < this.limitValue;
  }

  /** The oldest record that must be sent (again) on this connection, if any. */
  nextResend(): T | undefined {
    return this.waitingCount === 0 ? undefined : this.slots.find((slot) => !slot.inFlight && !slot.acked)?.record;
  }

  /** Marks `record` as sent now; adds it if new. Returns the generation its answer must carry, and whether it is a resend. */
  sent(record: T): { generation: number; resend: boolean } {
    if (!this.hasRoom) {
      throw new RangeError('the window is full');
    }
    let slot = this.byRecord.get(record);
    if (slot !== undefined && !slot.inFlight && !slot.acked) {
      this.waitingCount--;
    }
    if (slot === undefined) {
      const last = this.slots[this.slots.length - 1];
      if (last !== undefined && record.lastSeq <= last.record.lastSeq) {
        throw new RangeError(`record through seq ${record.lastSeq} is out of order`);
      }
      slot = { record, inFlight: false, acked: false, sends: 0, generation: 0 };
      this.slots.push(slot);
      this.byRecord.set(record, slot);
    }
    slot.inFlight = true;
    slot.sends++;
    slot.generation = this.generationValue;
    this.inFlightCount++;
    return { generation: this.generationValue, resend: slot.sends > 1 };
  }

  /**
   * The broker answered `record` (sent in `generation`). Returns undefined for a stale answer (from a dropped
   * connection), otherwise the new contiguous done prefix if it moved (`advance` undefined: a gap before it).
   */
  acked(record: T, generation: number): { readonly advance: Advance | undefined } | undefined {
    const slot = this.byRecord.get(record);
    if (slot === undefined || slot.generation !== generation || !slot.inFlight) {
      return undefined;
    }
    slot.inFlight = false;
    slot.acked = true;
    this.inFlightCount--;
    let throughSeq = -1;
    let readings = 0;
    let n = 0;
    while (n < this.slots.length && this.slots[n]!.acked) {
      const head = this.slots[n++]!;
      this.byRecord.delete(head.record);
      throughSeq = head.record.lastSeq;
      readings += head.record.count;
    }
    if (n > 0) {
      this.slots = n === this.slots.length ? [] : this.slots.slice(n);
    }
    return { advance: throughSeq < 0 ? undefined : { throughSeq, readings } };
  }

  /** The answer was a refusal to retry later: the record goes back to waiting for a resend. */
  retryLater(record: T, generation: number): boolean {
    const slot = this.byRecord.get(record);
    if (slot === undefined || slot.generation !== generation || !slot.inFlight) {
      return false;
    }
    slot.inFlight = false;
    this.inFlightCount--;
    this.waitingCount++;
    return true;
  }

  /** Forgets records through `seq` (evicted from the queue: counted there). Returns how many were dropped. */
  dropThrough(seq: number): number {
    let dropped = 0;
    while (this.slots.length > 0 && this.slots[0]!.record.lastSeq <= seq) {
      const head = this.slots.shift()!;
      this.byRecord.delete(head.record);
      if (head.inFlight) {
        this.inFlightCount--;
      } else if (!head.acked) {
        this.waitingCount--;
      }
      dropped++;
    }
    return dropped;
  }
}
