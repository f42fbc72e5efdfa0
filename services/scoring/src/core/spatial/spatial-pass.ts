import { C } from '../checks.js';
import type { DeviceMeta } from '../device-meta.js';
import { invalidateVariable, type HourRollup } from '../hour-rollup.js';
import type { ScoringParams } from '../params.js';
import { median } from '../stats.js';
import { variableIndex } from '../variables.js';
import { buddyCheck } from './buddy.js';
import { neighbourLists, type Station } from './neighbours.js';

export interface SpatialDevice {
  readonly meta: DeviceMeta;
  /** the device's weather hour rollups; modified in place */
  readonly hours: readonly HourRollup[];
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The neighbour checks over closed hours of weather stations at their declared positions: a robust buddy check per
 * variable on hourly means, then shade (a dark station while its neighbours see a clear sky). Invalidates the
 * variable-hour in the rollup (charged to `buddy` / `shade`) and records what was compared in `detail`.
 * Stations are taken in device-id order, so the outcome does not depend on input order.
 */
export function applySpatialChecks(devices: readonly SpatialDevice[], params: ScoringParams): void {
  const located = devices
    .filter((d) => d.meta.kind === 'weather' && d.meta.declared !== undefined)
    .sort((a, b) => (a.meta.device < b.meta.device ? -1 : a.meta.device > b.meta.device ? 1 : 0));
  if (located.length === 0) {
    return;
  }
  const p = params.weather.buddy;
  const stations: Station[] = located.map((d) => ({
    lat: d.meta.declared!.lat,
    lon: d.meta.declared!.lon,
    alt: d.meta.declared!.alt ?? Number.NaN,
  }));
  const neighbours = neighbourLists(stations, p.radiusM);
  const byHour = new Map<number, (HourRollup | undefined)[]>();
  located.forEach((device, s) => {
    for (const rollup of device.hours) {
      let row = byHour.get(rollup.hour);
      if (!row) {
        row = new Array<HourRollup | undefined>(located.length);
        byHour.set(rollup.hour, row);
      }
      row[s] = rollup;
    }
  });
  const values = new Float64Array(located.length);
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const row = byHour.get(hour)!;
    for (const [name, variable] of Object.entries(p.variables)) {
      const v = variableIndex('weather', name);
      row.forEach((r, s) => {
        values[s] = r && r.valid[v]! >= p.minCoverage * r.expected ? r.mean[v]! : Number.NaN;
      });
      const outcome = buddyCheck(stations, neighbours, values, { ...p, variable });
      row.forEach((r, s) => {
        if (r && outcome.flags[s] === 1) {
          detailOf(r)[`buddy.${name}`] = {
            value: round(values[s]!),
            neighbours_median: round(outcome.buddyMedian[s]!),
            z: round(outcome.z[s]!, 2),
            neighbours: outcome.buddies[s]!,
          };
          invalidateVariable(r, v, C.buddy);
        }
      });
    }
    applyShade(row, neighbours, params);
  }
}

function applyShade(row: (HourRollup | undefined)[], neighbours: readonly Int32Array[], params: ScoringParams): void {
  const solar = params.weather.solar;
  const g = variableIndex('weather', 'solar_irradiance');
  const u = variableIndex('weather', 'uv_index');
  row.forEach((r, s) => {
    if (!r || !(r.solarIndex < solar.shadeIndexMax)) {
      return;
    }
    const seen: number[] = [];
    for (const j of neighbours[s]!) {
      const index = row[j]?.solarIndex;
      if (index !== undefined && !Number.isNaN(index)) {
        seen.push(index);
      }
    }
    const center = median(seen);
    if (seen.length >= params.weather.buddy.minNeighbours && center >= solar.neighbourClearIndexMin) {
      const lost = invalidateVariable(r, g, C.shade) + invalidateVariable(r, u, C.shade);
      if (lost > 0) {
        detailOf(r).shade = {
          clear_sky_index: round(r.solarIndex),
          neighbours_median: round(center),
          neighbours: seen.length,
        };
      }
    }
  });
}

function detailOf(rollup: HourRollup): Record<string, unknown> {
  rollup.detail ??= {};
  return rollup.detail;
}
