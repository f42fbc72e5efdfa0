import { C } from '../checks.js';
import type { DeviceMeta } from '../device-meta.js';
import { invalidateVariable, type HourRollup } from '../hour-rollup.js';
import type { ScoringParams, VariableRule } from '../params.js';
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
  applyWeatherChecks(devices, params);
  applyEnergyNeighbours(devices, params);
}

interface Located {
  readonly stations: Station[];
  readonly neighbours: Int32Array[];
  /** per hour (ascending), each station's rollup of that hour */
  readonly hours: [number, (HourRollup | undefined)[]][];
}

/** The devices of a kind with a declared position, in device-id order, their neighbour lists and hours. */
function locate(
  devices: readonly SpatialDevice[],
  kind: 'weather' | 'energy',
  radiusM: number,
  maxNeighbours: number,
): Located | undefined {
  const located = devices
    .filter((d) => d.meta.kind === kind && d.meta.declared !== undefined)
    .sort((a, b) => (a.meta.device < b.meta.device ? -1 : a.meta.device > b.meta.device ? 1 : 0));
  if (located.length === 0) {
    return undefined;
  }
  const stations: Station[] = located.map((d) => ({
    lat: d.meta.declared!.lat,
    lon: d.meta.declared!.lon,
    alt: d.meta.declared!.alt ?? Number.NaN,
  }));
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
  return {
    stations,
    neighbours: neighbourLists(stations, radiusM, maxNeighbours),
    hours: [...byHour.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/**
 * A value constant at the stuck check's exempt level (saturation) while the neighbours' median lies further than
 * `stuckExemptUnlessNeighboursWithin` from that level: the neighbourhood is not saturated, the sensor is stuck.
 */
function exemptStuckAlone(r: HourRollup, name: string, median: number, rule: VariableRule): boolean {
  const within = rule.stuckExemptUnlessNeighboursWithin;
  if (within === undefined || !(r.trend[`exempt_stuck.${name}`]! > 0)) {
    return false;
  }
  const high = rule.stuckExemptAtOrAbove;
  const low = rule.stuckExemptAtOrBelow;
  return (high !== undefined && high - median > within) || (low !== undefined && median - low > within);
}

/** An hour mean covering enough of the hour to compare, else NaN. */
function coveredMean(r: HourRollup | undefined, v: number, minCoverage: number): number {
  return r && r.valid[v]! >= minCoverage * r.expected ? r.mean[v]! : Number.NaN;
}

function applyWeatherChecks(devices: readonly SpatialDevice[], params: ScoringParams): void {
  const p = params.weather.buddy;
  const located = locate(devices, 'weather', p.radiusM, p.maxNeighbours);
  if (!located) {
    return;
  }
  const { stations, neighbours } = located;
  const values = new Float64Array(stations.length);
  for (const [, row] of located.hours) {
    for (const [name, variable] of Object.entries(p.variables)) {
      const v = variableIndex('weather', name);
      row.forEach((r, s) => {
        values[s] = coveredMean(r, v, p.minCoverage);
      });
      const outcome = buddyCheck(stations, neighbours, values, { ...p, variable });
      const rule = params.variables.weather[name];
      row.forEach((r, s) => {
        if (r && !Number.isNaN(outcome.buddyMedian[s]!)) {
          r.trend[`x.${name}`] = values[s]!;
          r.trend[`nb.${name}`] = outcome.buddyMedian[s]!;
          if (rule && exemptStuckAlone(r, name, outcome.buddyMedian[s]!, rule)) {
            detailOf(r)[`stuck.${name}`] = {
              value: round(values[s]!),
              neighbours_median: round(outcome.buddyMedian[s]!),
              readings: r.trend[`exempt_stuck.${name}`],
            };
            invalidateVariable(r, v, C.stuck);
            return;
          }
        }
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

/**
 * Energy meters near each other hang on the same grid: the median voltage of a meter's neighbours is recorded for
 * the drift check (no outlier test: a meter's own load moves its voltage).
 */
function applyEnergyNeighbours(devices: readonly SpatialDevice[], params: ScoringParams): void {
  const p = params.energy.neighbours;
  const located = locate(devices, 'energy', p.radiusM, p.maxNeighbours);
  if (!located) {
    return;
  }
  const { stations, neighbours } = located;
  const values = new Float64Array(stations.length);
  const options = {
    minNeighbours: p.minNeighbours,
    iterations: 1,
    maxElevationDiffM: Infinity,
    lapseRateKPerM: 0,
    variable: { minSpread: 1, threshold: Infinity, altitude: 'none' as const },
  };
  for (const [, row] of located.hours) {
    for (const name of p.variables) {
      const v = variableIndex('energy', name);
      row.forEach((r, s) => {
        values[s] = coveredMean(r, v, params.weather.buddy.minCoverage);
      });
      const outcome = buddyCheck(stations, neighbours, values, options);
      row.forEach((r, s) => {
        if (r && !Number.isNaN(outcome.buddyMedian[s]!)) {
          r.trend[`x.${name}`] = values[s]!;
          r.trend[`nb.${name}`] = outcome.buddyMedian[s]!;
        }
      });
    }
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
