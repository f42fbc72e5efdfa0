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

  it('flags an odometer that stands still while the speedometer says 20 m/s', () => {
    // 10 minutes at 20 m/s is 12 km; the odometer does not move
    const readings = regular(15, () => ({ speed: 20, odometer: 100_000 }));
    const flagged = runChecks('vehicle', readings, [checkOdometer]).flaggedBy('odometer');
    // from the first reading with a 5-minute window behind it
    expect(flagged[0]).toBe(5);
    expect(flagged).toHaveLength(10);
  });

  it('does not integrate across a gap longer than 5 minutes', () => {
    const readings = regular(12, (i) => ({ speed: 20, odometer: 100_000 + i * 1200 })).map((r, i) =>
      i >= 6 ? { ...r, ts: r.ts + 10 * 60_000, metrics: { speed: 20, odometer: 100_000 + i * 1200 + 50_000 } } : r,
    );
    expect(runChecks('vehicle', readings, [checkOdometer]).flaggedBy('odometer')).toEqual([]);
  });
});
