import { describe, expect, it } from 'vitest';
import { runChecks } from '../harness.js';
import { checkGnss } from './gnss.js';
import { checkSpeedMismatch } from './speed-mismatch.js';
import { checkTeleport } from './teleport.js';
import { drive } from './vehicle-track.spec-helper.js';

const checks = [checkGnss, checkTeleport, checkSpeedMismatch];

describe('speed consistency check (implied vs reported speed)', () => {
  it('accepts a track that matches the speedometer', () => {
    expect(
      runChecks(
        'vehicle',
        drive(20, (i) => 10 + (i % 5)),
        checks,
      ).flaggedBy('speed_mismatch'),
    ).toEqual([]);
  });

  it('flags a spoofed, standing position while the speedometer says 20 m/s, from the third disagreeing pair on', () => {
    const readings = drive(10, () => 20).map((r) => ({ ...r, loc: { lat: 52, lon: 5, hdop: 0.9, sats: 10 } }));
    const result = runChecks('vehicle', readings, checks);
    expect(result.flaggedBy('speed_mismatch')).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(result.invalidVariables(3)).toEqual(['position']);
  });

  it('tolerates 30 % (or 5 m/s) of difference plus the fixes’ error', () => {
    // Track driven at 20 m/s while the speedometer reads 26 (implied 20: within 30 % of 26 = 7.8)
    const within = drive(10, () => 20).map((r) => ({ ...r, metrics: { ...r.metrics, speed: 26 } }));
    expect(runChecks('vehicle', within, checks).flaggedBy('speed_mismatch')).toEqual([]);
    // ... reading 30 is 10 m/s off, beyond 9 (+ error)
    const beyond = drive(10, () => 20).map((r) => ({ ...r, metrics: { ...r.metrics, speed: 30 } }));
    expect(runChecks('vehicle', beyond, checks).flaggedBy('speed_mismatch').length).toBeGreaterThan(0);
  });

  it('does not flag a single disagreeing pair (a bend, a tunnel)', () => {
    const readings = drive(
      10,
      () => 20,
      (i) => (i === 5 ? { lat: 52.001 } : {}),
    );
    expect(runChecks('vehicle', readings, checks).flaggedBy('speed_mismatch')).toEqual([]);
  });
});
