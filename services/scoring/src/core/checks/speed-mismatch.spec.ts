import { describe, expect, it } from 'vitest';
import { runChecks } from '../harness.js';
import { checkGnss } from './gnss.js';
import { checkSpeedMismatch } from './speed-mismatch.js';
import { checkTeleport } from './teleport.js';
import { drive } from './vehicle-track.spec-helper.js';

const checks = [checkGnss, checkTeleport, checkSpeedMismatch];

describe('speed consistency check (distance along the fixes vs integrated speedometer, 15-minute windows)', () => {
  it('accepts a track that matches the speedometer', () => {
    expect(
      runChecks(
        'vehicle',
        drive(40, (i) => 10 + (i % 5)),
        checks,
      ).flaggedBy('speed_mismatch'),
    ).toEqual([]);
  });

  it('flags a frozen position while the speedometer says 20 m/s, once 12 minutes (0.8 of the window) are seen', () => {
    // Given a car reporting 20 m/s whose GNSS position never moves (a spoofed, static track)
    const readings = drive(30, () => 20).map((r) => ({ ...r, loc: { lat: 52, lon: 5, hdop: 0.9, sats: 10 } }));

    const result = runChecks('vehicle', readings, checks);

    // Then from the reading 12 minutes in, every position is flagged (and only the position)
    expect(result.flaggedBy('speed_mismatch')).toEqual(Array.from({ length: 18 }, (_, k) => 12 + k));
    expect(result.invalidVariables(12)).toEqual(['position']);
  });

  it('tolerates 30 % of the larger distance: a speedometer reading 26 for 20 m/s passes, 30 does not', () => {
    const within = drive(20, () => 20).map((r) => ({ ...r, metrics: { ...r.metrics, speed: 26 } }));
    expect(runChecks('vehicle', within, checks).flaggedBy('speed_mismatch')).toEqual([]);
    const beyond = drive(20, () => 20).map((r) => ({ ...r, metrics: { ...r.metrics, speed: 30 } }));
    expect(runChecks('vehicle', beyond, checks).flaggedBy('speed_mismatch')).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('tolerates 500 m at walking pace, whatever the ratio', () => {
    // 0.5 m/s reported, fixes standing still: 450 m over 15 minutes is within 500 m
    const readings = drive(20, () => 0.5).map((r) => ({ ...r, loc: { lat: 52, lon: 5, hdop: 0.9, sats: 10 } }));
    expect(runChecks('vehicle', readings, checks).flaggedBy('speed_mismatch')).toEqual([]);
  });

  it('does not flag a single stray fix (a bend, a tunnel), nor judge across a gap of more than 5 minutes', () => {
    const stray = drive(
      30,
      () => 20,
      (i) => (i === 15 ? { lat: 52.001 } : {}),
    );
    expect(runChecks('vehicle', stray, checks).flaggedBy('speed_mismatch')).toEqual([]);
    // a frozen track, but with a 6-minute gap every 10 readings: no window ever spans 12 minutes
    const gappy = drive(30, () => 20).map((r, i) => ({
      ...r,
      ts: r.ts + Math.floor(i / 10) * 6 * 60_000,
      loc: { lat: 52, lon: 5, hdop: 0.9, sats: 10 },
    }));
    expect(runChecks('vehicle', gappy, checks).flaggedBy('speed_mismatch')).toEqual([]);
  });
});
