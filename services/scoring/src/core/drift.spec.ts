import { describe, expect, it } from 'vitest';
import { QOD_1_0_0 } from './algorithms.js';
import { C } from './checks.js';
import type { DeviceMeta } from './device-meta.js';
import { applyDriftCheck, trendFit } from './drift.js';
import type { HourRollup } from './hour-rollup.js';
import { emptyRollup } from './quarantine.js';
import { variableIndex } from './variables.js';

const DAY = Date.UTC(2026, 5, 2);
const HOUR = 3_600_000;
const station: DeviceMeta = { device: 'st', kind: 'weather', intervalS: 60, status: 'active' };
const car: DeviceMeta = { device: 'car', kind: 'vehicle', intervalS: 60, status: 'active' };

/** 24 hours of a weather station whose temperature follows its neighbours' median, plus `offset(h)`. */
function stationHours(offset: (h: number) => number, hours = 24): HourRollup[] {
  const t = variableIndex('weather', 'temperature');
  return Array.from({ length: hours }, (_, h) => {
    const r = emptyRollup(station, DAY + h * HOUR);
    r.n = 60;
    r.present[t] = 60;
    r.valid[t] = 60;
    // a diurnal cycle the station sees 20 % stronger than its neighbours (exposure), and a little noise
    const median = 14 + 5 * Math.cos((2 * Math.PI * (h - 15)) / 24);
    r.trend['nb.temperature'] = median;
    r.trend['x.temperature'] = 14 + 1.2 * (median - 14) + 0.1 * Math.sin(h * 7.3) + offset(h);
    return r;
  });
}

describe('trend fit (x on time and the neighbours’ median)', () => {
  it('recovers an exact slope with a zero standard error', () => {
    const points = Array.from(
      { length: 10 },
      (_, k) => [k / 24, 10 + Math.sin(k), 3 + 2 * (k / 24) + 0.5 * (10 + Math.sin(k))] as const,
    );
    const fit = trendFit(points)!;
    expect(fit.slope).toBeCloseTo(2, 9);
    expect(fit.se).toBeLessThan(1e-9);
  });

  it('falls back to x on time when the median does not vary, and needs more points than parameters', () => {
    const flat = Array.from({ length: 5 }, (_, k) => [k, 7, 1 + 0.5 * k] as const);
    expect(trendFit(flat)!.slope).toBeCloseTo(0.5, 12);
    expect(
      trendFit([
        [0, 1, 1],
        [1, 1, 2],
      ]),
    ).toBeUndefined();
  });
});

describe('drift check (epoch level)', () => {
  it('flags a temperature drifting 1.5 °C a day against its neighbours, in every hour of the epoch', () => {
    const hours = stationHours((h) => (1.5 * h) / 24);
    const findings = applyDriftCheck(station, hours, QOD_1_0_0, DAY);
    expect(findings).toEqual([expect.objectContaining({ variable: 'temperature' })]);
    expect(findings[0]!.perDay).toBeCloseTo(1.5, 1);
    const t = variableIndex('weather', 'temperature');
    expect(hours.every((h) => h.valid[t] === 0 && (h.hourFlags >>> C.drift) & 1)).toBe(true);
    expect(hours[0]!.loss[C.drift]).toBeCloseTo(1, 9);
  });

  it('does not flag a station that only sees the daily cycle more strongly (exposure), nor 0.7 °C a day', () => {
    expect(
      applyDriftCheck(
        station,
        stationHours(() => 0),
        QOD_1_0_0,
        DAY,
      ),
    ).toEqual([]);
    expect(
      applyDriftCheck(
        station,
        stationHours((h) => (0.7 * h) / 24),
        QOD_1_0_0,
        DAY,
      ),
    ).toEqual([]);
  });

  it('needs 12 hours with a value and a neighbour median', () => {
    expect(
      applyDriftCheck(
        station,
        stationHours((h) => (3 * h) / 24, 11),
        QOD_1_0_0,
        DAY,
      ),
    ).toEqual([]);
    expect(
      applyDriftCheck(
        station,
        stationHours((h) => (3 * h) / 24, 12),
        QOD_1_0_0,
        DAY,
      ),
    ).toHaveLength(1);
  });

  it('flags a vehicle whose speedometer reads more than 3 % above its odometer over 20 km (3.1 %), not 2.9 %', () => {
    const carHours = (ratio: number, km: number) =>
      Array.from({ length: 10 }, (_, h) => {
        const r = emptyRollup(car, DAY + h * HOUR);
        r.trend.odo_m = (km * 1000) / 10;
        r.trend.spd_m = (ratio * km * 1000) / 10;
        return r;
      });
    expect(applyDriftCheck(car, carHours(1.029, 100), QOD_1_0_0, DAY)).toEqual([]);
    expect(applyDriftCheck(car, carHours(1.031, 100), QOD_1_0_0, DAY)).toEqual([
      { variable: 'speed', ratio: 1.031, odometerKm: 100 },
    ]);
    expect(applyDriftCheck(car, carHours(1.2, 19.9), QOD_1_0_0, DAY)).toEqual([]);
  });
});
