import { describe, expect, it } from 'vitest';
import { QOD_1_0_0 } from '../algorithms.js';
import { C } from '../checks.js';
import type { DeviceMeta } from '../device-meta.js';
import type { HourRollup } from '../hour-rollup.js';
import { emptyRollup } from '../quarantine.js';
import { variableIndex } from '../variables.js';
import { buddyCheck } from './buddy.js';
import { neighbourLists } from './neighbours.js';
import { applySpatialChecks } from './spatial-pass.js';

const HOUR = Date.UTC(2026, 5, 1, 12);
const T = variableIndex('weather', 'temperature');
const H = variableIndex('weather', 'humidity');

/** A station `km` km north of 52° N 5° E with an hour of valid means. */
function station(i: number, km: number, means: Record<string, number>, alt?: number) {
  const meta: DeviceMeta = {
    device: `s${String(i).padStart(2, '0')}`,
    kind: 'weather',
    intervalS: 60,
    status: 'active',
    declared: { lat: 52 + km / 111.2, lon: 5, ...(alt === undefined ? {} : { alt }) },
  };
  const r: HourRollup = emptyRollup(meta, HOUR);
  r.n = 60;
  for (const [name, value] of Object.entries(means)) {
    const v = variableIndex('weather', name);
    r.present[v] = 60;
    r.valid[v] = 60;
    r.mean[v] = value;
  }
  return { meta, hours: [r] };
}

describe('neighbour checks over an hour of weather stations', () => {
  it('flags a temperature more than 4 robust spreads from its buddies, with what was compared', () => {
    // Given six stations at 15.0–15.5 °C within 6 km and one at 21 °C
    const devices = [0, 1, 2, 3, 4, 5].map((i) => station(i, i, { temperature: 15 + i * 0.1 }));
    devices.push(station(6, 3.5, { temperature: 21 }));
    applySpatialChecks(devices, QOD_1_0_0);
    const odd = devices[6]!.hours[0]!;
    expect(odd.valid[T]).toBe(0);
    expect(odd.fail[C.buddy]).toBe(60);
    expect(odd.detail).toMatchObject({ 'buddy.temperature': { value: 21, neighbours_median: 15.25, neighbours: 6 } });
    expect(devices.slice(0, 6).every((d) => d.hours[0]!.valid[T] === 60)).toBe(true);
    // and records, for the drift check, each station's mean and its neighbours' median
    expect(devices[0]!.hours[0]!.trend).toMatchObject({ 'x.temperature': 15, 'nb.temperature': 15.3 });
  });

  it('needs 5 buddies within 30 km: 4 are not enough, a station 31 km away is no buddy', () => {
    const four = [0, 1, 2, 3].map((i) => station(i, i, { temperature: 15 }));
    four.push(station(4, 2, { temperature: 30 }));
    applySpatialChecks(four, QOD_1_0_0);
    expect(four[4]!.hours[0]!.valid[T]).toBe(60);
    const far = [0, 1, 2, 3, 40].map((i, k) => station(k, i, { temperature: 15 }));
    far.push(station(5, 2, { temperature: 30 }));
    applySpatialChecks(far, QOD_1_0_0);
    expect(far[5]!.hours[0]!.valid[T]).toBe(60);
  });

  it('brings neighbours’ temperatures to the station’s altitude with the lapse rate', () => {
    // buddies at sea level at 15 °C; a station 600 m up at 11.1 °C is as expected (15 − 0.0065 × 600 = 11.1)
    const stations = [0, 1, 2, 3, 4, 5].map((i) => station(i, i, { temperature: 15 }, 0));
    const outcome = buddyCheck(
      [...stations.map(() => ({ lat: 52, lon: 5, alt: 0 })), { lat: 52, lon: 5, alt: 600 }],
      neighbourLists(
        Array.from({ length: 7 }, () => ({ lat: 52, lon: 5, alt: 0 })),
        1000,
      ),
      Float64Array.from([15, 15, 15, 15, 15, 15, 11.1]),
      { ...QOD_1_0_0.weather.buddy, maxElevationDiffM: 1000, variable: QOD_1_0_0.weather.buddy.variables.temperature! },
    );
    expect(outcome.flags[6]).toBe(0);
    expect(outcome.buddyMedian[6]).toBeCloseTo(11.1, 9);
  });

  it('calls a station stuck at saturation when its neighbours are not saturated (more than 10 points below)', () => {
    const around = (rh: number) => [0, 1, 2, 3, 4, 5].map((i) => station(i, i, { humidity: rh + i * 0.2 }));
    const pegged = station(9, 2.5, { humidity: 100 });
    pegged.hours[0]!.trend['exempt_stuck.humidity'] = 60;
    const dry = [...around(80), pegged];
    applySpatialChecks(dry, QOD_1_0_0);
    expect(pegged.hours[0]!.fail[C.stuck]).toBe(60);
    expect(pegged.hours[0]!.detail).toMatchObject({ 'stuck.humidity': { value: 100, readings: 60 } });
    // in a saturated neighbourhood (fog: 86 % and up) the same readings stand
    const foggy = station(9, 2.5, { humidity: 100 });
    foggy.hours[0]!.trend['exempt_stuck.humidity'] = 60;
    applySpatialChecks([...around(86), foggy], QOD_1_0_0);
    expect(foggy.hours[0]!.valid[H]).toBe(60);
  });

  it('calls a dark station shaded when its neighbours see a clear sky, not when the sky is overcast', () => {
    const withIndex = (i: number, km: number, index: number) => {
      const s = station(i, km, { solar_irradiance: 500 * index });
      s.hours[0]!.solarIndex = index;
      return s;
    };
    const bright = [0, 1, 2, 3, 4].map((i) => withIndex(i, i, 0.8));
    const dark = withIndex(5, 2.5, 0.1);
    applySpatialChecks([...bright, dark], QOD_1_0_0);
    expect(dark.hours[0]!.fail[C.shade]).toBe(60);
    const grey = [0, 1, 2, 3, 4].map((i) => withIndex(i, i, 0.4));
    const alsoDark = withIndex(5, 2.5, 0.1);
    applySpatialChecks([...grey, alsoDark], QOD_1_0_0);
    expect(alsoDark.hours[0]!.fail[C.shade]).toBe(0);
  });

  it('records the median voltage of an energy meter’s neighbours (no outlier test)', () => {
    const V = variableIndex('energy', 'voltage_l1');
    const meters = [0, 1, 2, 3, 4, 5].map((i) => {
      const meta: DeviceMeta = {
        device: `m${i}`,
        kind: 'energy',
        intervalS: 60,
        status: 'active',
        declared: { lat: 52 + i / 111.2, lon: 5 },
      };
      const r = emptyRollup(meta, HOUR);
      r.n = 60;
      r.present[V] = 60;
      r.valid[V] = 60;
      r.mean[V] = i === 5 ? 240 : 230 + i;
      return { meta, hours: [r] };
    });
    applySpatialChecks(meters, QOD_1_0_0);
    expect(meters[5]!.hours[0]!.trend).toEqual({ 'x.voltage_l1': 240, 'nb.voltage_l1': 232 });
    expect(meters[5]!.hours[0]!.valid[V]).toBe(60);
  });
});
