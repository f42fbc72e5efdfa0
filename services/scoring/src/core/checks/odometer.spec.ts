import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkOdometer } from './odometer.js';
import { drive } from './vehicle-track.spec-helper.js';

describe('odometer check', () => {
  it('accepts an odometer that follows the integrated speed (with its 100 m resolution)', () => {
    expect(
      runChecks(
        'vehicle',
        drive(30, (i) => 10 + (i % 7)),
        [checkOdometer],
      ).flaggedBy('odometer'),
    ).toEqual([]);
  });

  it('flags an odometer going back by more than 100 m, not by 100 m', () => {
    const odo = [5000, 5000, 4900, 4900, 4799];
    const result = runChecks(
      'vehicle',
      regular(5, (i) => ({ odometer: odo[i]! })),
      [checkOdometer],
    );
    expect(result.flaggedBy('odometer')).toEqual([4]);
  });

  it('flags an odometer that stands still while the speedometer says 20 m/s, once 24 minutes are seen', () => {
    // 30-minute windows, judged from 0.8 of a window: 24 minutes at 20 m/s is 28.8 km; the odometer does not move
    const readings = regular(40, () => ({ speed: 20, odometer: 100_000 }));
    const flagged = runChecks('vehicle', readings, [checkOdometer]).flaggedBy('odometer');
    expect(flagged[0]).toBe(24);
    expect(flagged).toHaveLength(16);
  });

  it('tolerates 20 % (or 300 m) over the window', () => {
    // 24.5 minutes of 20 m/s is 29.4 km: an odometer that counted 24 km (18 % short) passes, 23 km does not
    const counted = (km: number) =>
      regular(26, (i) => ({ speed: 20, odometer: 100_000 + Math.round((i * km * 1000) / 25 / 100) * 100 }));
    expect(runChecks('vehicle', counted(24.5 * 1.2 * 0.82), [checkOdometer]).flaggedBy('odometer')).toEqual([]);
    expect(runChecks('vehicle', counted(24.5 * 1.2 * 0.78), [checkOdometer]).flaggedBy('odometer')).not.toEqual([]);
  });

  it('does not integrate across a gap longer than 5 minutes', () => {
    // consistent at 20 m/s, but a 10-minute gap after reading 20 where the odometer jumped 50 km
    const readings = regular(50, (i) => ({ speed: 20, odometer: 100_000 + i * 1200 })).map((r, i) =>
      i > 20 ? { ...r, ts: r.ts + 10 * 60_000, metrics: { speed: 20, odometer: 100_000 + i * 1200 + 50_000 } } : r,
    );
    expect(runChecks('vehicle', readings, [checkOdometer]).flaggedBy('odometer')).toEqual([]);
  });
});
