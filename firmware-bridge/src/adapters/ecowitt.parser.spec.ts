import { describe, expect, it } from 'vitest';
import { fixture, fixtureJson } from '../../test/fixtures.js';
import { parseDateUtc, parseEcowittForm, parseWundergroundQuery } from './ecowitt.parser.js';

const NOW = Date.UTC(2024, 5, 21, 12, 0, 30);
const wuParams = (path: string) => new URLSearchParams(fixture(path).split('?')[1]);

describe('Ecowitt protocol POST bodies', () => {
  it('converts a GW2000 push to SI units', () => {
    const result = parseEcowittForm(new URLSearchParams(fixture('ecowitt/gw2000-ecowitt-post.txt').trim()), {
      now: NOW,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.value.protocol).toBe('ecowitt');
    expect(result.value.stationKey).toBe('3A7F6C1E9B2D4F8A0C5E7B1D3F9A2C4E');
    expect(result.value.stationType).toBe('GW2000A_V3.1.4');
    const { ts, metrics } = result.value.sample;
    expect(ts).toBe(Date.UTC(2024, 5, 21, 11, 59, 40));
    expect(metrics.temperature).toBeCloseTo(22.0, 2); // 71.6 °F
    expect(metrics.humidity).toBe(55);
    expect(metrics.pressure).toBe(101033); // baromabsin 29.835 inHg, the station pressure
    expect(metrics.wind_speed).toBeCloseTo(3.098, 2); // 6.93 mph
    expect(metrics.wind_gust).toBeCloseTo(4.6, 2); // 10.29 mph
    expect(metrics.wind_direction).toBe(243);
    expect(metrics.rain_rate).toBe(0);
    expect(metrics.rain_daily).toBeCloseTo(1.5, 2); // 0.059 in
    expect(metrics.solar_irradiance).toBe(812.45);
    expect(metrics.uv_index).toBe(7);
    expect(metrics.dew_point).toBeCloseTo(12.5, 1); // Magnus from 22.0 °C and 55 %
    expect(Object.keys(metrics)).not.toContain('tempinf');
  });

  it('reads WS90 piezo rain when there is no tipping bucket', () => {
    const result = parseEcowittForm(new URLSearchParams(fixture('ecowitt/gw1100-ws90-piezo-post.txt').trim()), {
      now: NOW,
    });
    expect(result.ok && result.value.sample.metrics).toMatchObject({
      rain_rate: 3.2, // 0.126 in/h
      rain_daily: 8.41, // 0.331 in
      humidity: 91,
      pressure: 99749, // 29.456 inHg
    });
  });

  it('derives station pressure from the relative one when the absolute is missing', () => {
    const body = 'PASSKEY=K&dateutc=2024-06-21+11:59:40&baromrelin=29.921';
    const result = parseEcowittForm(new URLSearchParams(body), { now: NOW, altitudeM: 500 });
    expect(result.ok && result.value.sample.metrics.pressure).toBe(95460); // 29.921 inHg (101324 Pa) reduced to 500 m
  });

  const malformed = fixtureJson<{ ecowitt: { reason: string; why: string; body: string }[] }>('ecowitt/malformed.json');
  it.each(malformed.ecowitt)('refuses $why as $reason', ({ body, reason }) => {
    const result = parseEcowittForm(new URLSearchParams(body), { now: NOW });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.reason).toBe(reason);
  });
});

describe('Weather Underground protocol GET', () => {
  it('converts a WU upload, reducing the sea-level pressure to the station altitude', () => {
    const result = parseWundergroundQuery(wuParams('ecowitt/ws2910-wunderground-get.txt'), { now: NOW, altitudeM: 30 });
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.value).toMatchObject({ protocol: 'wunderground', stationKey: 'IAMSTE123', password: 's3cretKEY' });
    const { ts, metrics } = result.value.sample;
    expect(ts).toBe(Date.UTC(2024, 5, 21, 12, 0, 0));
    expect(metrics.temperature).toBeCloseTo(21.39, 2);
    expect(metrics.dew_point).toBeCloseTo(13.33, 2); // dewptf as sent, not recomputed
    expect(metrics.pressure).toBe(101271); // 30.012 inHg (101632 Pa) at sea level → 30 m up
    expect(metrics.rain_rate).toBeCloseTo(0.51, 2); // rainin: rain of the last hour
    expect(metrics.uv_index).toBe(6);
  });

  it('takes dateutc=now as the bridge clock and skips -9999 sensors', () => {
    const result = parseWundergroundQuery(wuParams('ecowitt/wunderground-now-missing-sensors.txt'), { now: NOW });
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.value.sample.ts).toBe(NOW);
    expect(Object.keys(result.value.sample.metrics).sort()).toEqual([
      'pressure',
      'rain_daily',
      'wind_direction',
      'wind_speed',
    ]);
  });

  const malformed = fixtureJson<{ wunderground: { reason: string; why: string; query: string }[] }>(
    'ecowitt/malformed.json',
  );
  it.each(malformed.wunderground)('refuses $why as $reason', ({ query, reason }) => {
    const result = parseWundergroundQuery(new URLSearchParams(query), { now: NOW });
    expect(!result.ok && result.error.reason).toBe(reason);
  });
});

describe('parseDateUtc', () => {
  it('accepts the gateway format and refuses impossible dates', () => {
    expect(parseDateUtc('2024-12-31 23:59:59')).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
    expect(parseDateUtc('2023-02-29 00:00:00')).toBeUndefined();
    expect(parseDateUtc('2024-01-01 24:00:00')).toBeUndefined();
    expect(parseDateUtc('2024-1-1 0:0:0')).toBeUndefined();
  });
});
