import { metricSpec, inPhysicalRange, type ReadingBody } from '@groundtruth/protocol';

/**
 * Bits of `readings_*.qflags`: cheap facts the ingest notices while storing a reading. They never reject a
 * reading (that is what quarantine is for); quality scoring reads them. A bit is never reassigned.
 */
export const QFLAG = {
  /** at least one metric lies outside its physical range in the catalogue (`inPhysicalRange`) */
  OUT_OF_RANGE: 1 << 0,
  /** the device clock runs ahead: `ts` is later than `received_at` by more than the skew tolerance */
  CLOCK_AHEAD: 1 << 1,
  /** delivered long after it was taken (`received_at - ts` above the delay threshold): a drained backlog */
  DELAYED: 1 << 2,
  /** arrived after a higher seq of its device and filled a recorded gap (reordered or late) */
  LATE_SEQ: 1 << 3,
} as const;

export type QualityFlagName = keyof typeof QFLAG;

export interface QualityFlagThresholds {
  /** `ts - received_at` above this sets CLOCK_AHEAD (ms) */
  readonly clockAheadMs: number;
  /** `received_at - ts` above this sets DELAYED (ms) */
  readonly delayedMs: number;
}

/** The flags known before storage (everything but LATE_SEQ, which the seq bookkeeping adds). */
export function ingestQualityFlags(body: ReadingBody, receivedAtMs: number, thresholds: QualityFlagThresholds): number {
  let flags = 0;
  for (const name in body.metrics) {
    const spec = metricSpec(body.kind, name);
    if (spec !== undefined && !inPhysicalRange(spec, body.metrics[name]!)) {
      flags |= QFLAG.OUT_OF_RANGE;
      break;
    }
  }
  if (body.ts - receivedAtMs > thresholds.clockAheadMs) {
    flags |= QFLAG.CLOCK_AHEAD;
  }
  if (receivedAtMs - body.ts > thresholds.delayedMs) {
    flags |= QFLAG.DELAYED;
  }
  return flags;
}

/** The names of the bits set in `flags`, for logs and APIs ("why did my device score 0.62?"). */
export function describeQualityFlags(flags: number): QualityFlagName[] {
  return (Object.keys(QFLAG) as QualityFlagName[]).filter((name) => (flags & QFLAG[name]) !== 0);
}
