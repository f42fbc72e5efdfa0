import { describe, expect, it } from 'vitest';
import { DriveCycleModel } from './drive-cycle.model.js';
import { SignalFaultInjector, SimulationConfigError, type SignalFaultSpec } from './signal-faults.js';
import { WeatherModel } from './weather.model.js';

const HOME = { lat: 45.76, lon: 4.84, alt: 170 };
const START = Date.UTC(2024, 6, 1);
const MIN = 60_000;
const weather = new WeatherModel(3, HOME);
const samples = (hours: number, every = MIN) =>
  Array.from({ length: (hours * 60 * MIN) / every }, (_, i) => START + i * every);
const injector = (
  faults: (SignalFaultSpec | SignalFaultSpec['type'])[],
  seed = 9,
  kind: 'weather' | 'vehicle' | 'energy' = 'weather',
) => new SignalFaultInjector(kind, faults, seed, START, HOME);
const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
  Math.hypot((a.lat - b.lat) * 111.32, (a.lon - b.lon) * 111.32 * Math.cos((a.lat * Math.PI) / 180));

describe('signal faults', () => {
  it('stuck: the chosen metric keeps its value from onset while the others move', () => {
    const faults = injector([{ type: 'stuck', metric: 'temperature', onsetAfterMs: 60 * MIN }]);
    const out = samples(24).map((ts) => faults.metrics(ts, { ...weather.at(ts) }));
    expect(new Set(out.slice(60).map((m) => m.temperature)).size).toBe(1);
    expect(new Set(out.slice(0, 60).map((m) => m.temperature)).size).toBeGreaterThan(30);
    expect(new Set(out.slice(60).map((m) => m.humidity)).size).toBeGreaterThan(100);
    expect(out[60]!.temperature).toBe(weather.at(START + 60 * MIN).temperature);
  });

  it('stuck: the metric is a seeded pick when not given', () => {
    expect(injector(['stuck'], 1).plans[0]!.metric).toBe(injector(['stuck'], 1).plans[0]!.metric);
    const picks = new Set(Array.from({ length: 40 }, (_, seed) => injector(['stuck'], seed).plans[0]!.metric));
    expect([...picks].sort()).toEqual(['humidity', 'pressure', 'temperature', 'wind_speed']);
  });

  it('spike: ~3 % of samples carry one jump of the documented size', () => {
    const faults = injector(['spike']);
    const ts = samples(7 * 24);
    const jumps = ts
      .map((t) => {
        const truth = weather.at(t);
        const seen = faults.metrics(t, { ...truth });
        return { truth, seen };
      })
      .filter(({ truth, seen }) => Object.keys(truth).some((k) => seen[k] !== truth[k as keyof typeof truth]));
    expect(jumps.length / ts.length).toBeGreaterThan(0.02);
    expect(jumps.length / ts.length).toBeLessThan(0.04);
    for (const { truth, seen } of jumps) {
      const dt = Math.abs(seen.temperature! - truth.temperature);
      const dp = Math.abs(seen.pressure! - truth.pressure);
      const dw = seen.wind_speed! - truth.wind_speed;
      const dh = Math.abs(seen.humidity! - truth.humidity);
      expect((dt >= 8 && dt <= 20) || (dp >= 1500 && dp <= 4000) || (dw >= 10 && dw <= 30) || dh > 0).toBe(true);
    }
  });

  it('drift: the bias grows linearly from onset', () => {
    const faults = injector([{ type: 'drift', onsetAfterMs: 24 * 60 * MIN }]);
    const at = (days: number) => {
      const ts = START + days * 86_400_000;
      return faults.metrics(ts, { ...weather.at(ts) }).temperature! - weather.at(ts).temperature;
    };
    expect(at(0.5)).toBe(0);
    expect(at(2)).toBeCloseTo(1.5, 6);
    expect(at(5)).toBeCloseTo(6, 6);
    const car = injector(['drift'], 9, 'vehicle');
    expect(car.metrics(START + 86_400_000, { speed: 20, odometer: 5 })).toEqual({ speed: 20.8, odometer: 5 });
  });

  it('dropout: silent windows of 10–50 minutes, about 15 % of the time', () => {
    const faults = injector(['dropout']);
    const ts = samples(20 * 24);
    const dropped = ts.map((t) => faults.isDropped(t));
    const share = dropped.filter(Boolean).length / ts.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.25);
    let run = 0;
    const runs: number[] = [];
    for (const d of [...dropped, false]) {
      if (d) {
        run++;
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    expect(Math.min(...runs)).toBeGreaterThanOrEqual(9); // minutes (sampling grid)
    expect(Math.max(...runs)).toBeLessThanOrEqual(100); // two overlapping windows at most
    expect(injector([]).isDropped(START)).toBe(false);
  });

  it('indoor: no sun or UV, calm and dry, a damped ~21 °C; pressure stays true', () => {
    const faults = injector(['indoor']);
    const day = samples(48, 10 * MIN).map((t) => ({
      truth: weather.at(t),
      seen: faults.metrics(t, { ...weather.at(t) }),
    }));
    const temps = day.map((d) => d.seen.temperature!);
    expect(Math.max(...temps) - Math.min(...temps)).toBeLessThan(
      (Math.max(...day.map((d) => d.truth.temperature)) - Math.min(...day.map((d) => d.truth.temperature))) / 3,
    );
    for (const { truth, seen } of day) {
      expect(seen.temperature).toBeGreaterThan(18);
      expect(seen.temperature).toBeLessThan(25);
      expect(seen.solar_irradiance).toBeCloseTo(truth.solar_irradiance * 0.03, 9);
      expect([seen.uv_index, seen.wind_speed, seen.wind_gust, seen.rain_rate]).toEqual([0, 0, 0, 0]);
      expect(seen.pressure).toBe(truth.pressure);
      expect(seen.humidity).toBeLessThan(75);
    }
  });

  it('gps_teleport: jumps of km that come back to the true track', () => {
    const model = new DriveCycleModel(4, HOME, START);
    const faults = injector(['gps_teleport'], 9, 'vehicle');
    const offsets = samples(6, 5000).map((t) => {
      const truth = model.advanceTo(t);
      return km(faults.location(t, truth), truth);
    });
    const jumped = offsets.filter((d) => d > 0);
    expect(jumped.length).toBeGreaterThan(0);
    expect(Math.min(...jumped)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...jumped)).toBeLessThanOrEqual(60.5);
    expect(jumped.length / offsets.length).toBeLessThan(0.1);
  });

  it('gps_spoof: static, far and inconsistent variants behave as documented', () => {
    const model = new DriveCycleModel(4, HOME, START);
    const spoof = (variant: 'static' | 'far' | 'inconsistent') =>
      injector([{ type: 'gps_spoof', variant }], 9, 'vehicle');
    const [still, far, circle] = [spoof('static'), spoof('far'), spoof('inconsistent')];
    const track = samples(1, 10_000).map((t) => ({ t, truth: { ...model.advanceTo(t) } }));
    const stills = track.map(({ t, truth }) => still.location(t, truth));
    expect(new Set(stills.map((p) => `${p.lat},${p.lon}`)).size).toBe(1);
    expect(stills[0]!.speedMs).toBe(0);
    const fars = track.map(({ t, truth }) => km(far.location(t, truth), truth));
    expect(Math.min(...fars)).toBeGreaterThan(200);
    expect(Math.max(...fars) - Math.min(...fars)).toBeLessThan(5); // a constant shift
    const p0 = circle.location(track[0]!.t, track[0]!.truth);
    const p1 = circle.location(track[0]!.t + 10_000, track[0]!.truth);
    expect(km(p0, p1) * 1000).toBeCloseTo(300, -1); // 30 m/s whatever the car does
    expect(km(p0, HOME)).toBeCloseTo(2, 1);
    expect(injector(['gps_spoof'], 123, 'vehicle').plans[0]!.variant).toBe(
      injector(['gps_spoof'], 123, 'vehicle').plans[0]!.variant,
    );
  });

  it('refuses faults that do not apply to the kind', () => {
    expect(() => injector(['indoor'], 1, 'vehicle')).toThrow(SimulationConfigError);
    expect(() => injector(['gps_spoof'], 1, 'energy')).toThrow(/FAULT_NOT_APPLICABLE/);
    expect(() => injector(['clock_skew' as 'stuck'], 1, 'energy')).toThrow(/UNKNOWN_FAULT/);
  });
});
