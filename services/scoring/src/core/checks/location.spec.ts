import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkGnss } from './gnss.js';
import { checkClone, checkLocation } from './location.js';

const declared = { lat: 52, lon: 5 };
const metresNorth = (m: number) => 52 + m / 111_195;

describe('location check', () => {
  it('records fixes more than 300 m from the declared location, without invalidating data', () => {
    const offsets = [0, 299, 301];
    const readings = regular(3, () => ({ temperature: 10 }), {
      loc: (i) => ({ lat: metresNorth(offsets[i]!), lon: 5, sats: 9, hdop: 1 }),
    });
    const result = runChecks('weather', readings, [checkGnss, checkLocation], { meta: { declared } });
    expect(result.flaggedBy('location')).toEqual([2]);
    expect(result.invalidVariables(2)).toEqual([]);
  });

  it('does not judge poor fixes or devices without a declared location', () => {
    const readings = regular(1, () => ({ temperature: 10 }), { loc: () => ({ lat: 53, lon: 5, sats: 2 }) });
    expect(
      runChecks('weather', readings, [checkGnss, checkLocation], { meta: { declared } }).flaggedBy('location'),
    ).toEqual([]);
    const far = regular(1, () => ({ temperature: 10 }), { loc: () => ({ lat: 53, lon: 5 }) });
    expect(runChecks('weather', far, [checkGnss, checkLocation]).flaggedBy('location')).toEqual([]);
  });
});

describe('location check of a vehicle (operating area)', () => {
  it('records fixes farther than 150 km from the declared home base, not at 149 km', () => {
    const offsets = [0, 149_000, 151_000];
    const readings = regular(3, () => ({ speed: 10, gnss_fix: 1 }), {
      loc: (i) => ({ lat: metresNorth(offsets[i]!), lon: 5, sats: 9, hdop: 1 }),
    });
    const result = runChecks('vehicle', readings, [checkGnss, checkLocation], { meta: { declared } });
    expect(result.flaggedBy('location')).toEqual([2]);
    expect(result.invalidVariables(2)).toEqual([]);
  });
});

describe('clone check (one key at two places)', () => {
  it('flags fixes alternating between two places 5 km apart', () => {
    const readings = regular(6, () => ({ temperature: 10 }), {
      loc: (i) => ({ lat: i % 2 === 0 ? 52 : metresNorth(5000), lon: 5 }),
    });
    expect(runChecks('weather', readings, [checkClone]).flaggedBy('clone')).toEqual([2, 3, 4, 5]);
  });

  it('does not flag a single move, nor alternation within 1 km', () => {
    const moved = regular(6, () => ({ temperature: 10 }), {
      loc: (i) => ({ lat: i < 3 ? 52 : metresNorth(50_000), lon: 5 }),
    });
    expect(runChecks('weather', moved, [checkClone]).flaggedBy('clone')).toEqual([]);
    const near = regular(6, () => ({ temperature: 10 }), {
      loc: (i) => ({ lat: i % 2 === 0 ? 52 : metresNorth(900), lon: 5 }),
    });
    expect(runChecks('weather', near, [checkClone]).flaggedBy('clone')).toEqual([]);
  });
});
