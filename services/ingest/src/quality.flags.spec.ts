import { deviceIdFromPublicKey, type ReadingBody } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { describeQualityFlags, ingestQualityFlags, QFLAG } from './quality.flags.js';

const device = deviceIdFromPublicKey(new Uint8Array(32).fill(3));
const T = Date.UTC(2026, 10, 25, 12);
const body = (metrics: Record<string, number>, ts = T): ReadingBody => ({
  v: 1,
  device,
  kind: 'weather',
  seq: 1,
  ts,
  metrics,
});
const thresholds = { clockAheadMs: 30_000, delayedMs: 600_000 };

describe('ingestQualityFlags', () => {
  it('sets nothing for a plausible, timely reading', () => {
    expect(ingestQualityFlags(body({ temperature: 12, humidity: 80 }), T + 500, thresholds)).toBe(0);
  });

  it('flags a metric outside its physical range', () => {
    expect(ingestQualityFlags(body({ temperature: 12, humidity: 140 }), T, thresholds)).toBe(QFLAG.OUT_OF_RANGE);
  });

  it('flags a device clock ahead of the receipt time by more than the tolerance', () => {
    expect(ingestQualityFlags(body({ temperature: 1 }, T + 30_001), T, thresholds)).toBe(QFLAG.CLOCK_AHEAD);
    expect(ingestQualityFlags(body({ temperature: 1 }, T + 30_000), T, thresholds)).toBe(0);
  });

  it('flags a reading delivered long after it was taken', () => {
    expect(ingestQualityFlags(body({ temperature: 1 }, T - 600_001), T, thresholds)).toBe(QFLAG.DELAYED);
  });

  it('combines bits and names them', () => {
    const flags = ingestQualityFlags(body({ pressure: 5 }, T - 3_600_000), T, thresholds);
    expect(describeQualityFlags(flags | QFLAG.LATE_SEQ)).toEqual(['OUT_OF_RANGE', 'DELAYED', 'LATE_SEQ']);
  });

  it('keeps every bit distinct (bits are never reassigned)', () => {
    expect(QFLAG).toEqual({ OUT_OF_RANGE: 1, CLOCK_AHEAD: 2, DELAYED: 4, LATE_SEQ: 8 });
  });
});
