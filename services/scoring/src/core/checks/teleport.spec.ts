import { describe, expect, it } from 'vitest';
import { runChecks } from '../harness.js';
import { checkGnss } from './gnss.js';
import { checkTeleport } from './teleport.js';
import { drive } from './vehicle-track.spec-helper.js';

describe('teleport check', () => {
  it('accepts a car at 60 m/s and flags a single 50 km glitch once', () => {
    const fast = runChecks(
      'vehicle',
      drive(10, () => 60),
      [checkGnss, checkTeleport],
    );
    expect(fast.flaggedBy('teleport')).toEqual([]);
    const glitch = drive(
      10,
      () => 20,
      (i) => (i === 5 ? { lat: 52.45 } : {}),
    );
    const result = runChecks('vehicle', glitch, [checkGnss, checkTeleport]);
    expect(result.flaggedBy('teleport')).toEqual([5]);
    expect(result.invalidVariables(5)).toEqual(['position']);
  });

  it('flags a move faster than 70 m/s but not 65 m/s (one fix a minute)', () => {
    // The vehicle reports 20 m/s but its fixes suddenly move 65 m/s or 80 m/s worth between two readings
    const at = (extra: number) =>
      drive(
        8,
        () => 20,
        (i) => (i >= 5 ? { lat: 52 + extra / 111_195 } : {}),
      );
    // reference is the median of the previous three fixes, ~2 minutes back: 65 m/s × 120 s is within 70 m/s
    expect(runChecks('vehicle', at(65 * 120), [checkGnss, checkTeleport]).flaggedBy('teleport')).toEqual([]);
    expect(runChecks('vehicle', at(80 * 120), [checkGnss, checkTeleport]).flaggedBy('teleport')).toEqual([5, 6]);
  });

  it('ignores fixes the GNSS check rejected', () => {
    const readings = drive(
      6,
      () => 20,
      (i) => (i === 3 ? { lat: 53, sats: 2 } : {}),
    );
    expect(runChecks('vehicle', readings, [checkGnss, checkTeleport]).flaggedBy('teleport')).toEqual([]);
  });
});
