import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkJump } from './jump.js';

describe('jump check', () => {
  it('flags a one-sample spike once, not the return to normal', () => {
    // Given 10 °C, a 25 °C spike, then 10 °C again (one reading a minute)
    const series = [10, 10, 10, 25, 10, 10];
    const result = runChecks(
      'weather',
      regular(6, (i) => ({ temperature: series[i]! })),
      [checkJump],
    );
    expect(result.flaggedBy('jump')).toEqual([3]);
  });

  it('allows exactly 3 °C per minute and flags 3.1 °C', () => {
    const series = [10, 10, 10, 13, 13, 13, 16.1];
    const result = runChecks(
      'weather',
      regular(7, (i) => ({ temperature: series[i]! })),
      [checkJump],
    );
    expect(result.flaggedBy('jump')).toEqual([6]);
  });

  it('scales the threshold with the time since the previous value, up to the cap', () => {
    // Given 10 °C, then 14 °C two minutes later (allowed: 6), then 29.5 °C an hour later (cap 15: 15.5 > 15)
    const start = Date.UTC(2026, 5, 1, 10);
    const readings = [
      { seq: 1, ts: start, metrics: { temperature: 10 } },
      { seq: 2, ts: start + 120_000, metrics: { temperature: 14 } },
      { seq: 3, ts: start + 3_720_000, metrics: { temperature: 29.5 } },
    ];
    expect(runChecks('weather', readings, [checkJump]).flaggedBy('jump')).toEqual([2]);
  });

  it('accepts a level shift after two readings', () => {
    const series = [5, 5, 5, 20, 20, 20, 20];
    const result = runChecks(
      'weather',
      regular(7, (i) => ({ temperature: series[i]! })),
      [checkJump],
    );
    expect(result.flaggedBy('jump')).toEqual([3, 4]);
  });

  it('skips variables without a jump rule and out-of-range neighbours', () => {
    // rain rate has no jump rule; a -200 °C (out of range) reading is neither judged nor a reference
    const temps = [10, -200, 10.5];
    const rain = [0, 50, 0];
    const result = runChecks(
      'weather',
      regular(3, (i) => ({ temperature: temps[i]!, rain_rate: rain[i]! })),
      [checkJump],
    );
    expect(result.flaggedBy('jump')).toEqual([]);
  });
});
