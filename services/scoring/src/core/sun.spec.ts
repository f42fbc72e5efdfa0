import { describe, expect, it } from 'vitest';
import { clearSkyGhi, sunElevation } from './sun.js';

describe('sun position', () => {
  it('puts the sun near 90° − |lat − declination| at solar noon', () => {
    // Equator at the March equinox, 12:07 UTC on the Greenwich meridian (equation of time ≈ −7 min)
    expect(sunElevation(Date.UTC(2026, 2, 20, 12, 7), 0, 0)).toBeGreaterThan(88);
    // Utrecht (52.09 N, 5.12 E) at the June solstice, solar noon ≈ 11:41 UTC: 90 − 52.09 + 23.44 ≈ 61.3°
    expect(sunElevation(Date.UTC(2026, 5, 21, 11, 41), 52.09, 5.12)).toBeCloseTo(61.3, 0);
  });

  it('puts the sun below the horizon at midnight and near 0° at sunrise', () => {
    expect(sunElevation(Date.UTC(2026, 5, 21, 23, 40), 52.09, 5.12)).toBeLessThan(-10);
    // Sunrise in Utrecht on 21 June is at about 03:20 UTC
    expect(Math.abs(sunElevation(Date.UTC(2026, 5, 21, 3, 20), 52.09, 5.12))).toBeLessThan(1.5);
  });

  it('gives a clear-sky irradiance of 0 below the horizon and about 1000 W/m² with the sun overhead', () => {
    expect(clearSkyGhi(-1)).toBe(0);
    expect(clearSkyGhi(0)).toBe(0);
    expect(clearSkyGhi(90)).toBeCloseTo(1037, 0);
    expect(clearSkyGhi(30)).toBeGreaterThan(400);
    expect(clearSkyGhi(30)).toBeLessThan(550);
  });
});
