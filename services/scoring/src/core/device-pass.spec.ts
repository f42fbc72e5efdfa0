import { describe, expect, it } from 'vitest';
import { QOD_1_0_0 } from './algorithms.js';
import { C } from './checks.js';
import type { DeviceMeta } from './device-meta.js';
import { hourShare } from './device-meta.js';
import { scoreDeviceHours } from './device-pass.js';
import { regular } from './harness.js';
import { seriesFromReadings } from './series.js';

const START = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const meta: DeviceMeta = { device: 'd', kind: 'weather', intervalS: 60, status: 'active' };
const weather = (i: number) => ({ temperature: 10 + (i % 5) * 0.1, humidity: 60 + (i % 3), pressure: 100_000 + i });

describe('hour rollups', () => {
  it('flags an hour with fewer than 67 % of its expected readings (gaps), not one with 67 %', () => {
    // Given hour 0 with 40 of 60 readings (66.7 %, under 0.67) and hour 1 with 41 (68 %)
    const readings = [
      ...regular(40, weather),
      ...regular(41, weather, { start: START + HOUR }).map((r) => ({ ...r, seq: r.seq + 100 })),
    ];
    const { hours } = scoreDeviceHours(
      seriesFromReadings('d', 'weather', readings),
      meta,
      QOD_1_0_0,
      START,
      START + 2 * HOUR,
    );
    expect(hours.map((h) => h.fail[C.gaps])).toEqual([20, 0]);
    expect(hours[0]!.detail).toEqual({ gaps: { readings: 40, expected: 60 } });
    expect((hours[1]!.hourFlags >>> C.gaps) & 1).toBe(0);
  });

  it('expects readings for the part of an hour inside a short window (a 5-minute demo epoch)', () => {
    // Given readings every 10 s and a window 12:05–12:10
    const readings = regular(120, weather, { stepS: 10 });
    const from = START + 5 * 60_000;
    const { hours } = scoreDeviceHours(
      seriesFromReadings('d', 'weather', readings),
      { ...meta, intervalS: 10 },
      QOD_1_0_0,
      from,
      from + 5 * 60_000,
    );
    expect(hours).toHaveLength(1);
    expect(hours[0]).toMatchObject({ hour: START, n: 30, expected: 30, fail: expect.arrayContaining([0]) });
    expect(hours[0]!.fail[C.gaps]).toBe(0);
  });

  it('counts readings of a late clock stamped before a short window but received in it as clock-skew evidence', () => {
    // Given a device whose clock runs 10 minutes behind, streaming every 10 s, and the window 12:30–12:35
    const readings = regular(240, weather, { stepS: 10, start: START - 8 * 60_000, recvLagS: 600 });
    const from = START + 30 * 60_000;
    const { hours } = scoreDeviceHours(
      seriesFromReadings('d', 'weather', readings),
      { ...meta, intervalS: 10 },
      QOD_1_0_0,
      from,
      from + 5 * 60_000,
    );
    // Then besides the window's own 12 readings (12:30–12:32, flagged), the 30 received in it (stamped 12:20–12:25)
    // are clock-skew evidence of the window
    expect(hours[0]!.fail[C.clock_skew]).toBe(12 + 30);
    expect(hours[0]!.detail).toMatchObject({ clock_skew: { stamped_before_window: 30 } });
  });

  it('expects nothing before the registration', () => {
    expect(hourShare(START, START, START + HOUR, START + 45 * 60_000)).toBe(0.25);
    expect(hourShare(START, START + HOUR, START + 2 * HOUR)).toBe(0);
    expect(hourShare(START, START - HOUR, START + 2 * HOUR)).toBe(1);
  });

  it('adds up the odometer and the integrated speed of a vehicle per hour, for the drift check', () => {
    // 20 m/s for an hour and an odometer counting 1.2 km a minute: 70.8 km both (59 intervals after the first)
    const readings = regular(60, (i) => ({ speed: 20, odometer: 100_000 + i * 1200 }));
    const { hours } = scoreDeviceHours(
      seriesFromReadings('car', 'vehicle', readings),
      { ...meta, device: 'car', kind: 'vehicle' },
      QOD_1_0_0,
      START,
      START + HOUR,
    );
    expect(hours[0]!.trend).toEqual({ odo_m: 70_800, spd_m: 70_800 });
  });

  it('counts humidity pegged at saturation for 6 hours as exempt-stuck readings (not stuck), for the neighbour pass', () => {
    const readings = regular(420, (i) => ({ ...weather(i), humidity: 100 }));
    const { hours } = scoreDeviceHours(
      seriesFromReadings('d', 'weather', readings),
      meta,
      QOD_1_0_0,
      START,
      START + 7 * HOUR,
    );
    // 360 minutes of the same value are reached at 06:00 (the run started at 00:00)
    expect(hours.map((h) => h.trend['exempt_stuck.humidity'])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      60,
    ]);
    expect(hours[6]!.fail[C.stuck]).toBe(0);
  });
});
