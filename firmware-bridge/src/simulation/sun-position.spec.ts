import { describe, expect, it } from 'vitest';
import { clearSkyIrradiance, localSolarHours, sunPosition } from './sun-position.js';

describe('sunPosition (NOAA)', () => {
  it('puts the June solstice noon sun at 90° − lat + 23.44° over Greenwich', () => {
    const { elevationDeg, azimuthDeg, declinationDeg } = sunPosition(Date.UTC(2024, 5, 20, 12, 2), 51.4779, 0);
    expect(declinationDeg).toBeCloseTo(23.44, 1);
    expect(elevationDeg).toBeCloseTo(90 - 51.4779 + 23.44, 0);
    expect(Math.abs(azimuthDeg - 180)).toBeLessThan(2);
  });

  it('follows spherical trigonometry at the equinox (Boulder, 2024-03-20 18:00 UTC)', () => {
    // Hour angle ≈ −17° (solar noon 19:08 UTC): asin(cos 40° · cos 17°) = 47.1°, plus δ ≈ +0.26° and refraction.
    const { elevationDeg, azimuthDeg } = sunPosition(Date.UTC(2024, 2, 20, 18, 0), 40.015, -105.2705);
    expect(elevationDeg).toBeCloseTo(47.3, 0);
    expect(azimuthDeg).toBeGreaterThan(150);
    expect(azimuthDeg).toBeLessThan(180);
  });

  it('reproduces the equation-of-time extremes (−14.2 min mid-February, +16.4 min early November)', () => {
    expect(sunPosition(Date.UTC(2024, 1, 11, 12), 0, 0).equationOfTimeMin).toBeCloseTo(-14.2, 0);
    expect(sunPosition(Date.UTC(2024, 10, 3, 12), 0, 0).equationOfTimeMin).toBeCloseTo(16.4, 0);
    expect(sunPosition(Date.UTC(2024, 11, 21, 12), 0, 0).declinationDeg).toBeCloseTo(-23.44, 1);
  });

  it('is below the horizon at local midnight and rises in the east', () => {
    expect(sunPosition(Date.UTC(2024, 5, 21, 0, 0), 48.85, 2.35).elevationDeg).toBeLessThan(-10);
    const morning = sunPosition(Date.UTC(2024, 5, 21, 5, 0), 48.85, 2.35);
    expect(morning.elevationDeg).toBeGreaterThan(0);
    expect(morning.azimuthDeg).toBeGreaterThan(45);
    expect(morning.azimuthDeg).toBeLessThan(90);
  });

  it('has the midnight sun in polar summer and the polar night in winter', () => {
    expect(sunPosition(Date.UTC(2024, 5, 21, 22, 0), 78.22, 15.65).elevationDeg).toBeGreaterThan(0);
    for (let h = 0; h < 24; h++) {
      expect(sunPosition(Date.UTC(2024, 11, 21, h), 78.22, 15.65).elevationDeg).toBeLessThan(0);
    }
  });

  it('gives no irradiance below the horizon and more as the sun climbs', () => {
    expect(clearSkyIrradiance(-5)).toBe(0);
    expect(clearSkyIrradiance(10)).toBeLessThan(clearSkyIrradiance(30));
    expect(clearSkyIrradiance(90)).toBeCloseTo(1037, 0);
    expect(localSolarHours(Date.UTC(2024, 0, 1, 12), 90)).toBe(18);
  });
});
