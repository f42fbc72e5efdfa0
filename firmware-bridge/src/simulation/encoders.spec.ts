import { describe, expect, it } from 'vitest';
import { parseDsmrTelegram } from '../adapters/dsmr.parser.js';
import { parseEcowittForm, parseWundergroundQuery } from '../adapters/ecowitt.parser.js';
import { parseNmeaSentence } from '../adapters/nmea.parser.js';
import { dsmr5Telegram, dsmrTimestamp, isEuSummerTime } from './dsmr.encoder.js';
import { ecowittForm, wundergroundQuery } from './ecowitt.encoder.js';
import { ggaSentence, rmcSentence } from './nmea.encoder.js';

const TS = Date.UTC(2024, 6, 4, 13, 15, 42);
const WEATHER = {
  temperature: 24.36,
  humidity: 48.4,
  dew_point: 12.6,
  pressure: 100512.3,
  wind_speed: 3.21,
  wind_gust: 5.02,
  wind_direction: 231.6,
  rain_rate: 1.2,
  rain_daily: 3.37,
  solar_irradiance: 705.21,
  uv_index: 6.4,
};

describe('emulator encoders round-trip through the production parsers', () => {
  it('Ecowitt form: values survive to the firmware resolution', () => {
    const parsed = parseEcowittForm(new URLSearchParams(ecowittForm(WEATHER, TS, { passkey: 'ABC', altitudeM: 80 })), {
      now: 0,
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) {
      return;
    }
    const m = parsed.value.sample.metrics;
    expect(parsed.value.sample.ts).toBe(TS);
    expect(m.temperature).toBeCloseTo(24.36, 1);
    expect(m.humidity).toBe(48);
    expect(Math.abs(m.pressure! - 100512.3)).toBeLessThan(2);
    expect(m.wind_speed).toBeCloseTo(3.21, 1);
    expect(m.wind_direction).toBe(232);
    expect(m.rain_daily).toBeCloseTo(3.37, 1);
    expect(m.uv_index).toBe(6);
  });

  it('WU query: sea-level pressure sent, station pressure recovered with the same altitude', () => {
    const query = wundergroundQuery(WEATHER, TS, { stationId: 'ISIM1', password: 'p', altitudeM: 400 });
    const parsed = parseWundergroundQuery(new URLSearchParams(query), { now: 0, altitudeM: 400 });
    expect(parsed.ok && Math.abs(parsed.value.sample.metrics.pressure! - 100512.3)).toBeLessThan(3);
    expect(parsed.ok && parsed.value.sample.metrics.dew_point).toBeCloseTo(12.6, 1);
  });

  it('DSMR 5 telegram: CRC valid, registers floored to Wh, local time flag', () => {
    const metrics = {
      energy_import_t1: 1_234_567.9,
      energy_import_t2: 2_000_000,
      energy_export_t1: 3_000,
      energy_export_t2: 0,
      power_import: 0,
      power_export: 1820.4,
      voltage_l1: 233.06,
      current_l1: 7.8,
    };
    const text = dsmr5Telegram(metrics, TS, { phases: 1, tariff: 2 });
    const parsed = parseDsmrTelegram(text, { now: 0 });
    expect(parsed.ok && parsed.value.sample).toEqual({
      ts: TS,
      metrics: { ...metrics, energy_import_t1: 1_234_567, power_export: 1820, voltage_l1: 233.1, current_l1: 8 },
    });
    expect(dsmrTimestamp(TS)).toBe('240704151542S');
    expect(dsmrTimestamp(Date.UTC(2024, 0, 4, 13, 15, 42))).toBe('240104141542W');
    expect([isEuSummerTime(Date.UTC(2024, 2, 31, 0, 59)), isEuSummerTime(Date.UTC(2024, 2, 31, 1, 0))]).toEqual([
      false,
      true,
    ]);
  });

  it('NMEA: GGA and RMC carry the fix with valid checksums', () => {
    const fix = {
      ts: TS,
      lat: -33.86882,
      lon: 151.20929,
      alt: 39.2,
      sats: 11,
      hdop: 0.8,
      quality: 1,
      speedMs: 13.9,
      courseDeg: 87.3,
    };
    const gga = parseNmeaSentence(ggaSentence(fix));
    const rmc = parseNmeaSentence(rmcSentence(fix));
    expect(gga.ok && gga.value).toMatchObject({ type: 'GGA', quality: 1, sats: 11, hdop: 0.8, alt: 39.2 });
    expect(gga.ok && gga.value.type === 'GGA' && gga.value.lat).toBeCloseTo(-33.86882, 5);
    expect(gga.ok && gga.value.type === 'GGA' && gga.value.lon).toBeCloseTo(151.20929, 5);
    expect(rmc.ok && rmc.value.type === 'RMC' && rmc.value.speedMs).toBeCloseTo(13.9, 2);
    expect(rmc.ok && rmc.value.type === 'RMC' && rmc.value.dateMs).toBe(Date.UTC(2024, 6, 4));
    const noFix = parseNmeaSentence(ggaSentence({ ...fix, quality: 0 }));
    expect(noFix.ok && noFix.value).toMatchObject({ type: 'GGA', quality: 0, lat: undefined });
  });
});
