import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkGnss } from './gnss.js';
import { drive } from './vehicle-track.spec-helper.js';

describe('GNSS quality check', () => {
  it('flags no fix, fewer than 4 satellites and hdop above 5 — at the limits it passes', () => {
    const variants = [{}, { sats: 4, hdop: 5 }, { sats: 3 }, { hdop: 5.1 }];
    const readings = drive(
      5,
      () => 10,
      (i) => variants[i] ?? {},
    ).map((r, i) => (i === 4 ? { ...r, metrics: { ...r.metrics, gnss_fix: 0 } } : r));
    const result = runChecks('vehicle', readings, [checkGnss]);
    expect(result.flaggedBy('gnss')).toEqual([2, 3, 4]);
    expect(result.invalidVariables(2)).toEqual(['position']);
  });

  it('only records (never invalidates) a poor fix of a stationary device', () => {
    const readings = regular(1, () => ({ temperature: 10 }), { loc: () => ({ lat: 52, lon: 5, sats: 2 }) });
    const result = runChecks('weather', readings, [checkGnss]);
    expect(result.checksOf(0)).toEqual(['gnss']);
    expect(result.invalidVariables(0)).toEqual([]);
  });
});
