import { describe, expect, it } from 'vitest';
import { DriveCycleModel, type VehicleState } from './drive-cycle.model.js';

const HOME = { lat: 48.137, lon: 11.575, alt: 520 };
const START = Date.UTC(2024, 3, 2, 7);
const RATIOS = [3.8, 2.2, 1.45, 1.05, 0.85, 0.7];

function drive(seed: number, seconds: number): VehicleState[] {
  const model = new DriveCycleModel(seed, HOME, START);
  return Array.from({ length: seconds + 1 }, (_, i) => ({ ...model.advanceTo(START + i * 1000) }));
}

function metres(a: VehicleState, b: VehicleState): number {
  const r = 6_371_000;
  const dLat = ((b.lat - a.lat) * Math.PI) / 180;
  const dLon = ((b.lon - a.lon) * Math.PI) / 180;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos((a.lat * Math.PI) / 180) * Math.cos((b.lat * Math.PI) / 180) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

describe('DriveCycleModel', () => {
  const trip = drive(11, 3 * 3600);

  it('makes the odometer the integral of speed', () => {
    let integral = 0;
    for (let i = 1; i < trip.length; i++) {
      integral += ((trip[i - 1]!.speed + trip[i]!.speed) / 2) * 1;
    }
    expect(trip.at(-1)!.odometer - trip[0]!.odometer).toBeCloseTo(integral, 3);
    expect(integral).toBeGreaterThan(50_000); // three hours of mixed driving
  });

  it('respects acceleration and braking limits', () => {
    for (let i = 1; i < trip.length; i++) {
      const dv = trip[i]!.speed - trip[i - 1]!.speed;
      expect(dv).toBeLessThanOrEqual(2.5 + 1e-9);
      expect(dv).toBeGreaterThanOrEqual(-3.5 - 1e-9);
    }
    expect(trip.some((s) => s.speed === 0)).toBe(true);
    expect(Math.max(...trip.map((s) => s.speed)) * 3.6).toBeLessThan(140);
  });

  it('keeps rpm consistent with speed and gear', () => {
    for (const s of trip.filter((x) => x.speed > 5)) {
      const expected = (s.speed / (2 * Math.PI * 0.31)) * 60 * RATIOS[s.gear - 1]! * 3.9;
      expect(Math.abs(s.rpm - Math.max(expected, 750)) / s.rpm).toBeLessThan(0.08);
      expect(s.rpm).toBeLessThan(4000);
    }
    for (const s of trip.filter((x) => x.speed === 0)) {
      expect(s.rpm).toBeGreaterThan(700);
      expect(s.rpm).toBeLessThan(900);
    }
  });

  it('warms the coolant from ambient to the thermostat', () => {
    expect(trip[0]!.coolant_temperature).toBeLessThan(30);
    expect(trip[20 * 60]!.coolant_temperature).toBeGreaterThan(75);
    for (const s of trip.slice(40 * 60)) {
      expect(s.coolant_temperature).toBeGreaterThan(84);
      expect(s.coolant_temperature).toBeLessThan(97);
    }
  });

  it('burns fuel: the level never rises except at a refuel stop', () => {
    for (let i = 1; i < trip.length; i++) {
      const rise = trip[i]!.fuel_level - trip[i - 1]!.fuel_level;
      expect(rise <= 0 || (rise > 40 && trip[i]!.speed === 0)).toBe(true);
    }
    expect(trip.at(-1)!.fuel_level).not.toBe(trip[0]!.fuel_level);
  });

  it('moves the GPS position by the distance driven', () => {
    let gps = 0;
    for (let i = 1; i < trip.length; i++) {
      gps += metres(trip[i - 1]!, trip[i]!);
    }
    const driven = trip.at(-1)!.odometer - trip[0]!.odometer;
    expect(Math.abs(gps - driven) / driven).toBeLessThan(0.01);
    expect(metres(trip[0]!, trip.at(-1)!)).toBeLessThan(40_000); // stays around home
  });

  it('is reproducible from its seed, however it is sampled', () => {
    const jumped = new DriveCycleModel(11, HOME, START).advanceTo(START + 3 * 3600 * 1000);
    expect(jumped).toEqual(trip.at(-1));
    expect(drive(12, 600).at(-1)!.odometer).not.toBe(trip[600]!.odometer);
  });
});
