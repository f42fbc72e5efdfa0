import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * What a running bridge has done, for `gt-bridge status` and logs. Counters are cumulative over restarts (the
 * status file carries them over); gauges describe the moment.
 */
export interface BridgeStatus {
  readonly v: 1;
  readonly device: string;
  readonly kind: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly running: boolean;
  readonly connected: boolean;
  readonly counters: {
    /** samples the adapter delivered */
    readonly read: number;
    /** skipped frames and samples, by reason (adapter reasons, and `body:<PROTOCOL CODE>`, `too_large`) */
    readonly rejected: Readonly<Record<string, number>>;
    /** readings signed and handed to the durable queue */
    readonly queued: number;
    /** readings sent on the wire, first attempts */
    readonly published: number;
    /** readings sent again after a reconnect or a refused publish */
    readonly republished: number;
    /** readings the broker acknowledged */
    readonly acked: number;
    /** readings evicted unsent because the disk bound was reached (oldest first) */
    readonly evicted: number;
    /** readings the broker refused for good, by PUBACK reason code */
    readonly refused: Readonly<Record<string, number>>;
    readonly connects: number;
    readonly disconnects: number;
    /** failed queue writes, fsyncs and cursor updates (each retried; samples are refused meanwhile) */
    readonly writeFailures: number;
  };
  readonly queue: {
    /** readings waiting on disk for an acknowledgement */
    readonly backlog: number;
    readonly diskBytes: number;
    readonly doneThrough: number;
    readonly highSeq: number;
    /** bytes cut off torn tails at the last start, and segments found damaged */
    readonly truncatedBytes: number;
    readonly damagedSegments: number;
    /** accepted readings not on disk yet (group commit, or waiting for a retry after a write failure) */
    readonly unwritten: number;
    /** the current queue failure (`QUEUE_WRITE_FAILED: ...`), null while the disk takes writes */
    readonly failure: string | null;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
export type CounterName =
  'read' | 'queued' | 'published' | 'republished' | 'acked' | 'evicted' | 'connects' | 'disconnects' | 'writeFailures';

/** The live counters of one device's bridge. */
export class BridgeCounters {
  readonly counts: Mutable<BridgeStatus['counters']>;

  constructor(previous?: BridgeStatus['counters']) {
    this.counts = {
      read: previous?.read ?? 0,
      rejected: { ...(previous?.rejected ?? {}) },
      queued: previous?.queued ?? 0,
      published: previous?.published ?? 0,
      republished: previous?.republished ?? 0,
      acked: previous?.acked ?? 0,
      evicted: previous?.evicted ?? 0,
      refused: { ...(previous?.refused ?? {}) },
      connects: previous?.connects ?? 0,
      disconnects: previous?.disconnects ?? 0,
      writeFailures: previous?.writeFailures ?? 0,
    };
  }

  add(name: CounterName, n = 1): void {
    this.counts[name] += n;
  }

  reject(reason: string, n = 1): void {
    this.counts.rejected[reason] = (this.counts.rejected[reason] ?? 0) + n;
  }

  refuse(reason: string, n: number): void {
    this.counts.refused[reason] = (this.counts.refused[reason] ?? 0) + n;
  }
}

export function readStatusFile(file: string): BridgeStatus | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as BridgeStatus;
    return parsed.v === 1 && typeof parsed.counters === 'object' ? parsed : undefined;
  } catch {
    return undefined; // a torn status file only loses a few seconds of counts: the queue is the record of truth
  }
}

/** Replaces the status file atomically (write a temp file, rename over). */
export function writeStatusFile(file: string, status: BridgeStatus): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(status, null, 2) + '\n', { mode: 0o644 });
  renameSync(temp, file);
}
