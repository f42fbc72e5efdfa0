import { readSegment, type QueuePosition, type Segment, type StoredRecord } from './segment-files.js';

const comparePos = (a: QueuePosition, b: QueuePosition): number => a.segment - b.segment || a.offset - b.offset;

/**
 * The read side of the durable queue: hands out durable records in order. While the publisher keeps up it
 * serves them from memory (the "tail", filled as commits complete); once the backlog outgrows `memoryTailBytes`
 * (offline for hours) it drops them and reads back from the segment files, until it has caught up again.
 */
export class QueueReader {
  private tail: StoredRecord[] = [];
  private tailHead = 0;
  private tailBytes = 0;
  private tailValid: boolean;
  private durableEnd: QueuePosition;

  constructor(
    private readonly segments: readonly Segment[],
    private readPos: QueuePosition,
    durableEnd: QueuePosition,
    private readonly memoryTailBytes: number,
  ) {
    this.durableEnd = durableEnd;
    this.tailValid = comparePos(readPos, durableEnd) === 0;
  }

  get hasUnread(): boolean {
    return this.tailValid ? this.tailHead < this.tail.length : comparePos(this.readPos, this.durableEnd) < 0;
  }

  /** Up to `max` durable records not handed out yet, oldest first. */
  take(max: number): StoredRecord[] {
    return this.tailValid ? this.takeFromTail(max) : this.takeFromDisk(max);
  }

  /** Records that just became durable (in order, each segment still present). */
  durable(records: readonly StoredRecord[]): void {
    for (const record of records) {
      this.durableEnd = { segment: record.segment, offset: record.offset + record.frameBytes };
      if (this.tailValid) {
        this.tail.push(record);
        this.tailBytes += record.frameBytes;
      }
    }
    if (this.tailValid && this.tailBytes > this.memoryTailBytes) {
      this.tailValid = false;
      this.tail = [];
      this.tailHead = 0;
      this.tailBytes = 0;
    }
  }

  /** The segment `id` was evicted: skip whatever of it was not handed out. */
  evicted(id: number): void {
    if (this.readPos.segment <= id) {
      this.readPos = { segment: id + 1, offset: 0 };
      this.tail = this.tail.filter((record, i) => i >= this.tailHead && record.segment > id);
      this.tailHead = 0;
      this.tailBytes = this.tail.reduce((sum, record) => sum + record.frameBytes, 0);
    }
  }

  private takeFromTail(max: number): StoredRecord[] {
    const out = this.tail.slice(this.tailHead, this.tailHead + max);
    this.tailHead += out.length;
    for (const record of out) {
      this.tailBytes -= record.frameBytes;
    }
    const last = out[out.length - 1];
    if (last !== undefined) {
      this.readPos = { segment: last.segment, offset: last.offset + last.frameBytes };
    }
    if (this.tailHead === this.tail.length) {
      this.tail = [];
      this.tailHead = 0;
    } else if (this.tailHead > 1024) {
      this.tail = this.tail.slice(this.tailHead);
      this.tailHead = 0;
    }
    return out;
  }

  private takeFromDisk(max: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    while (out.length < max) {
      const segment = this.segments.find((s) => s.id >= this.readPos.segment);
      if (segment === undefined || segment.id > this.durableEnd.segment) {
        break;
      }
      const from = segment.id === this.readPos.segment ? this.readPos.offset : 0;
      const limit = segment.id === this.durableEnd.segment ? this.durableEnd.offset : segment.bytes;
      const { records, nextOffset } = readSegment(segment, from, limit, max - out.length);
      out.push(...records);
      this.readPos = { segment: segment.id, offset: nextOffset };
      if (nextOffset >= limit) {
        if (segment.id === this.durableEnd.segment) {
          this.tailValid = true; // caught up: newly durable records come from memory again
          break;
        }
        this.readPos = { segment: segment.id + 1, offset: 0 };
      }
    }
    return out;
  }
}
