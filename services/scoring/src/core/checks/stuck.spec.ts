import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkStuck } from './stuck.js';

describe('stuck check', () => {
  it('flags pressure once it has been unchanged for 120 minutes, never a 119-minute run', () => {
    // Given pressure constant from 00:00 to 02:59 (temperature varying), a reading a minute
    const stuck = regular(180, (i) => ({ pressure: 101_300, temperature: 10 + (i % 2) * 0.1 }));
    // and on the next day a 119-minute constant run from 00:30 to 02:29
    const next = regular(
      240,
      (i) => ({ pressure: i < 30 || i > 149 ? 100_000 + i : 101_300, temperature: 10 + (i % 2) * 0.1 }),
      {
        start: Date.UTC(2026, 5, 2),
      },
    ).map((r) => ({ ...r, seq: r.seq + 1000 }));

    // When the stuck check runs
    const result = runChecks('weather', [...stuck, ...next], [checkStuck]);

    // Then the readings from 02:00 on (the run is 120 minutes old within their window) are flagged, the
    // earlier ones were not yet known stuck when their hour closed; the 119-minute run is never flagged
    const flagged = result.flaggedBy('stuck');
    expect(flagged).toEqual(Array.from({ length: 60 }, (_, k) => 120 + k));
    expect(result.invalidVariables(120)).toEqual(['pressure']);
  });

  it('exempts calm wind, darkness and saturated humidity', () => {
    const readings = regular(400, (i) => ({
      wind_speed: 0,
      solar_irradiance: 0,
      humidity: 97,
      temperature: 5 + (i % 3) * 0.1,
    }));
    expect(runChecks('weather', readings, [checkStuck]).flaggedBy('stuck')).toEqual([]);
  });

  it('checks the wind vane only while the wind blows', () => {
    // Given 7 hours of the same direction: calm for the first 4, then 5 m/s
    const readings = regular(421, (i) => ({
      wind_direction: 180,
      wind_speed: i < 240 ? 0 : 5,
      temperature: 5 + (i % 2) * 0.1,
    }));
    const flagged = runChecks('weather', readings, [checkStuck]).flaggedBy('stuck');
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((i) => i >= 240)).toBe(true);
  });

  it('measures the run only within the lookback window of the reading’s hour', () => {
    // Given temperature constant for 10 hours: a reading 9 h in sees at most 6 h before its hour + its hour
    const readings = regular(600, () => ({ temperature: 12 }));
    const result = runChecks('weather', readings, [checkStuck]);
    expect(result.checksOf(599)).toContain('stuck');
  });

  it('flags a frozen reading (every value unchanged for 30 minutes) even where one variable alone is allowed', () => {
    // Given 31 minutes of identical readings with humidity 97 % (exempt alone) and temperature (240 min window)
    const frozen = regular(31, () => ({ temperature: 11.3, humidity: 97, pressure: 100_000 }));
    const result = runChecks('weather', frozen, [checkStuck]);
    expect(result.flaggedBy('stuck')).toHaveLength(31);
    expect(result.invalidVariables(0)).toEqual(['temperature', 'humidity', 'pressure']);
    // 30 readings span 29 minutes: not frozen
    expect(runChecks('weather', frozen.slice(0, 30), [checkStuck]).flaggedBy('stuck')).toEqual([]);
  });

  it('does not call a parked vehicle frozen', () => {
    const parked = regular(90, () => ({ speed: 0, rpm: 0, coolant_temperature: 20, fuel_level: 50 }));
    expect(runChecks('vehicle', parked, [checkStuck]).flaggedBy('stuck')).toEqual([]);
  });
});
