import { describe, expect, it } from 'vitest';
import { QOD_1_0_0 } from './algorithms.js';
import type { DeviceMeta } from './device-meta.js';
import { locationScore, type ObservedHour } from './location-score.js';
import { emptyRollup } from './quarantine.js';
import { variableIndex } from './variables.js';

const DAY = Date.UTC(2026, 5, 2);
const HOUR = 3_600_000;
const home = { lat: 52, lon: 5 };
const meter: DeviceMeta = { device: 'm', kind: 'energy', intervalS: 60, status: 'active', declared: home };
const north = (km: number) => 52 + km / 111.2;

/** Hours of a stationary device whose fixes' median lies `km(h)` north of its declared place. */
function observed(hours: number, km: (h: number) => number, start = DAY) {
  return Array.from({ length: hours }, (_, h) => {
    const r = emptyRollup(meter, start + h * HOUR);
    r.n = 60;
    r.obsN = 60;
    r.obsLat = north(km(h));
    r.obsLon = 5;
    return r;
  });
}

describe('location score', () => {
  it('verifies the hours whose median fix lies within 300 m of the declared place', () => {
    const outcome = locationScore(
      meter,
      observed(24, (h) => (h < 18 ? 0.29 : 0.31)),
      [],
      QOD_1_0_0,
    );
    expect(outcome).toMatchObject({ score: 0.75, status: 'partly_verified', hoursObserved: 24, hoursVerified: 18 });
  });

  it('after a move (2 hours settled 5 km away) counts nothing as verified for 24 hours, history included', () => {
    // moved yesterday at 20:00: the cooldown runs until today 20:00, and the declared place is now wrong anyway
    const history: ObservedHour[] = observed(24, (h) => (h < 20 ? 0 : 5), DAY - 24 * HOUR);
    const outcome = locationScore(
      meter,
      observed(24, () => 5),
      history,
      QOD_1_0_0,
    );
    expect(outcome).toMatchObject({ score: 0, status: 'cooldown', relocatedAt: DAY - 4 * HOUR });
    expect(outcome.cooldownUntil).toBe(DAY + 20 * HOUR);
    // declared anew at the new place: verified again once the cooldown is over (4 of 24 hours)
    const redeclared = locationScore(
      { ...meter, declared: { lat: north(5), lon: 5 } },
      observed(24, () => 5),
      history,
      QOD_1_0_0,
    );
    expect(redeclared.score).toBeCloseTo(4 / 24, 9);
  });

  it('a single stray hour is no relocation', () => {
    const outcome = locationScore(
      meter,
      observed(24, (h) => (h === 10 ? 5 : 0)),
      [],
      QOD_1_0_0,
    );
    expect(outcome).toMatchObject({ hoursVerified: 23, status: 'partly_verified' });
    expect(outcome.relocatedAt).toBeUndefined();
  });

  it('without fixes gives the kind’s unverified score (energy 1, weather 0.5, vehicle 0)', () => {
    const silent = observed(3, () => 0).map((r) => ({ ...r, obsN: 0 }));
    expect(locationScore(meter, silent, [], QOD_1_0_0)).toMatchObject({ score: 1, status: 'unverified' });
    expect(locationScore({ ...meter, kind: 'weather' }, silent, [], QOD_1_0_0).score).toBe(0.5);
    const { declared: _declared, ...undeclared } = meter;
    expect(locationScore(undeclared, silent, [], QOD_1_0_0)).toMatchObject({ score: 0, status: 'undeclared' });
  });

  it('scores a vehicle by its valid fixes inside its operating area', () => {
    const car: DeviceMeta = { ...meter, device: 'car', kind: 'vehicle' };
    const P = variableIndex('vehicle', 'position');
    const hours = Array.from({ length: 4 }, (_, h) => {
      const r = emptyRollup(car, DAY + h * HOUR);
      r.present[P] = 60;
      r.valid[P] = h === 0 ? 54 : 60;
      r.locMismatch = h === 3 ? 60 : 0;
      return r;
    });
    // 240 fixes: 6 invalid (GNSS, teleport, speed), 60 outside the area
    expect(locationScore(car, hours, [], QOD_1_0_0)).toMatchObject({
      score: 174 / 240,
      hoursObserved: 4,
      hoursVerified: 2,
    });
  });
});
