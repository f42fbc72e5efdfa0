import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import type { PlainReading } from '../series.js';
import { checkClockSkew } from './clock-skew.js';

const temperature = () => ({ temperature: 10 });
const withLag = (readings: PlainReading[], lagMs: (i: number, r: PlainReading) => number) =>
  readings.map((r, i) => ({ ...r, recv: r.ts + lagMs(i, r) }));

describe('clock skew check', () => {
  it('flags readings stamped later than they were received, beyond 60 s only', () => {
    // Given readings received 59 s, 60 s and 61 s before their own timestamp
    const readings = withLag(regular(3, temperature), (i) => [-59_000, -60_000, -61_000][i]!);

    // When the check runs, then only the 61 s one is in the future
    expect(runChecks('weather', readings, [checkClockSkew]).flaggedBy('clock_skew')).toEqual([2]);
  });

  it('flags an hour streamed live with every reading lagging more than 5 minutes (clock behind)', () => {
    // Given an hour of readings each received 10 minutes after its timestamp, one by one
    const readings = withLag(regular(60, temperature), () => 600_000);

    // Then every reading of the hour is flagged
    expect(runChecks('weather', readings, [checkClockSkew]).flaggedBy('clock_skew')).toHaveLength(60);
  });

  it('does not flag a backlog flushed in one burst, nor a lag at the 300 s tolerance', () => {
    // Given an hour whose readings all arrived together two hours later (store and forward)
    const start = Date.UTC(2026, 5, 1);
    const flushed = regular(60, temperature).map((r) => ({ ...r, recv: start + 3 * 3_600_000 }));
    // and an hour streamed with exactly 300 s of lag
    const atTolerance = withLag(regular(60, temperature, { start: start + 3_600_000 }), () => 300_000);

    const result = runChecks('weather', [...flushed, ...atTolerance], [checkClockSkew]);

    expect(result.flaggedBy('clock_skew')).toEqual([]);
  });

  it('does not flag a live hour where the freshest reading arrived promptly', () => {
    // Given batches of 30 readings: the oldest waited 30 min, the newest arrived within seconds
    const start = Date.UTC(2026, 5, 1);
    const readings = regular(60, temperature).map((r, i) => ({
      ...r,
      recv: start + (i < 30 ? 30 : 60) * 60_000 + 1000,
    }));
    expect(runChecks('weather', readings, [checkClockSkew]).flaggedBy('clock_skew')).toEqual([]);
  });
});
