import { describe, expect, it } from 'vitest';
import { dewPointMagnus } from '../adapters/units.js';
import { clearSkyIrradiance, localSolarHours, sunPosition } from './sun-position.js';
import { WeatherModel } from './weather.model.js';

const AMSTERDAM = { lat: 52.37, lon: 4.9, alt: 5 };
const START = Date.UTC(2024, 5, 18);
const TEN_MIN = 600_000;
const series = (model: WeatherModel, from: number, hours: number, step = TEN_MIN) =>
  Array.from({ length: (hours * 3_600_000) / step }, (_, i) => ({ ts: from + i * step, ...model.at(from + i * step) }));

function pearson(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('WeatherModel', () => {
  const model = new WeatherModel(42, AMSTERDAM);
  const week = series(model, START, 7 * 24);

  it('is reproducible from its seed, whatever the order of sampling', () => {
    const again = new WeatherModel(42, AMSTERDAM);
    const backwards = [...week].reverse().map((s) => again.at(s.ts));
    expect(backwards.reverse()).toEqual(week.map(({ ts: _ts, ...state }) => state));
    expect(new WeatherModel(43, AMSTERDAM).at(START).temperature).not.toBe(week[0]!.temperature);
  });

  it('has no sun at night and follows the sun elevation by day', () => {
    const day: number[] = [];
    const clear: number[] = [];
    for (const s of week) {
      const elevation = sunPosition(s.ts, AMSTERDAM.lat, AMSTERDAM.lon).elevationDeg;
      if (elevation <= 0) {
        expect(s.solar_irradiance).toBe(0);
        expect(s.uv_index).toBe(0);
      } else {
        expect(s.solar_irradiance).toBeLessThanOrEqual(clearSkyIrradiance(elevation) * 1.16);
        day.push(s.solar_irradiance);
        clear.push(clearSkyIrradiance(elevation));
      }
    }
    expect(pearson(day, clear)).toBeGreaterThan(0.8);
  });

  it('warms by day and dries as it warms (humidity anti-correlated with temperature)', () => {
    expect(
      pearson(
        week.map((s) => s.temperature),
        week.map((s) => s.humidity),
      ),
    ).toBeLessThan(-0.5);
    const afternoon = week.filter((s) => Math.abs(localSolarHours(s.ts, AMSTERDAM.lon) - 15) < 1);
    const dawn = week.filter((s) => Math.abs(localSolarHours(s.ts, AMSTERDAM.lon) - 4) < 1);
    const mean = (xs: { temperature: number }[]) => xs.reduce((a, s) => a + s.temperature, 0) / xs.length;
    expect(mean(afternoon) - mean(dawn)).toBeGreaterThan(3);
  });

  it('keeps dew point ≤ temperature, consistent with humidity by Magnus, and gusts ≥ mean wind', () => {
    for (const s of week) {
      expect(s.dew_point).toBeLessThanOrEqual(s.temperature);
      expect(s.dew_point).toBeCloseTo(dewPointMagnus(s.temperature, s.humidity), 6);
      expect(s.humidity).toBeGreaterThan(0);
      expect(s.humidity).toBeLessThanOrEqual(100);
      expect(s.wind_gust).toBeGreaterThanOrEqual(s.wind_speed);
      expect(s.wind_direction).toBeGreaterThanOrEqual(0);
      expect(s.wind_direction).toBeLessThan(360);
    }
  });

  it('moves pressure with weather systems over days, not in jumps', () => {
    const month = series(model, START, 30 * 24, 3_600_000).map((s) => s.pressure);
    expect(Math.max(...month) - Math.min(...month)).toBeGreaterThan(1000);
    for (let i = 1; i < month.length; i++) {
      expect(Math.abs(month[i]! - month[i - 1]!)).toBeLessThan(250);
    }
  });

  it('accumulates daily rain as Σ rate·Δt since local midnight and resets the next day', () => {
    const rainy = Array.from({ length: 120 }, (_, d) => START + d * 86_400_000).find((day) =>
      series(model, day, 24, 300_000).some((s) => s.rain_rate > 0),
    );
    expect(rainy).toBeDefined();
    const midnight = rainy! - localSolarHours(rainy!, AMSTERDAM.lon) * 3_600_000 + 60_000;
    const day = series(new WeatherModel(42, AMSTERDAM), midnight, 24, 300_000);
    let sum = 0;
    for (let i = 0; i < day.length - 1; i++) {
      expect(day[i + 1]!.rain_daily).toBeGreaterThanOrEqual(day[i]!.rain_daily);
      sum += (day[i]!.rain_rate * 5) / 60;
    }
    expect(day.at(-1)!.rain_daily).toBeCloseTo(sum, 1);
    expect(model.at(midnight + 86_400_000).rain_daily).toBeLessThan(1);
  });

  it('lets neighbouring stations agree (2 km apart, different seeds)', () => {
    const neighbour = new WeatherModel(7, { lat: 52.388, lon: 4.9, alt: 5 });
    for (const s of week.filter((_, i) => i % 6 === 0)) {
      const n = neighbour.at(s.ts);
      expect(Math.abs(n.temperature - s.temperature)).toBeLessThan(2.5);
      expect(Math.abs(n.pressure - s.pressure)).toBeLessThan(80);
    }
  });
});
