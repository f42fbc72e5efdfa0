import type { BuddyVariable } from '../params.js';
import { MAD_TO_SIGMA, medianInPlace } from '../stats.js';
import type { Station } from './neighbours.js';

export interface BuddyOptions {
  readonly minNeighbours: number;
  readonly iterations: number;
  readonly maxElevationDiffM: number;
  readonly lapseRateKPerM: number;
  readonly variable: BuddyVariable;
}

export interface BuddyOutcome {
  /** 1 where the station's value is an outlier among its buddies */
  readonly flags: Uint8Array;
  /** the robust z-score, median of the buddies (at the station's altitude) and buddy count; NaN/0 when not tested */
  readonly z: Float64Array;
  readonly buddyMedian: Float64Array;
  readonly buddies: Int32Array;
}

/**
 * titanlib's buddy check made robust: each value is compared with its neighbours' values (brought to the
 * station's altitude when both altitudes are known: lapse rate for temperature, scale height for pressure;
 * neighbours more than `maxElevationDiffM` higher or lower are not buddies), as |x − median| / max(1.4826·MAD,
 * minSpread). Needs `minNeighbours` buddies. Later iterations leave already flagged stations out as buddies.
 */
export function buddyCheck(
  stations: readonly Station[],
  neighbours: readonly Int32Array[],
  values: Float64Array,
  options: BuddyOptions,
): BuddyOutcome {
  const n = stations.length;
  const flags = new Uint8Array(n);
  const z = new Float64Array(n).fill(Number.NaN);
  const buddyMedian = new Float64Array(n).fill(Number.NaN);
  const buddies = new Int32Array(n);
  const scratch = new Float64Array(n);
  const deviations = new Float64Array(n);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const newly: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      if (flags[i] === 1 || Number.isNaN(x)) {
        continue;
      }
      let count = 0;
      for (const j of neighbours[i]!) {
        const adjusted = flags[j] === 1 ? Number.NaN : atAltitudeOf(stations[i]!, stations[j]!, values[j]!, options);
        if (!Number.isNaN(adjusted)) {
          scratch[count++] = adjusted;
        }
      }
      buddies[i] = count;
      if (count < options.minNeighbours) {
        continue;
      }
      const list = scratch.subarray(0, count);
      const center = medianInPlace(list);
      for (let k = 0; k < count; k++) {
        deviations[k] = Math.abs(list[k]! - center);
      }
      const spread = Math.max(MAD_TO_SIGMA * medianInPlace(deviations.subarray(0, count)), options.variable.minSpread);
      z[i] = Math.abs(x - center) / spread;
      buddyMedian[i] = center;
      if (z[i]! > options.variable.threshold) {
        newly.push(i);
      }
    }
    for (const i of newly) {
      flags[i] = 1;
    }
    if (newly.length === 0) {
      break;
    }
  }
  return { flags, z, buddyMedian, buddies };
}

/** Neighbour j's value as it would be at station i's altitude, or NaN when j is no usable buddy. */
function atAltitudeOf(i: Station, j: Station, value: number, options: BuddyOptions): number {
  if (Number.isNaN(value)) {
    return Number.NaN;
  }
  const known = !Number.isNaN(i.alt) && !Number.isNaN(j.alt);
  if (known && Math.abs(j.alt - i.alt) > options.maxElevationDiffM) {
    return Number.NaN;
  }
  switch (options.variable.altitude) {
    case 'none':
      return value;
    case 'lapse':
      return known ? value + options.lapseRateKPerM * (j.alt - i.alt) : value;
    case 'sea_level':
      // Pressure falls by e per scale height (~8.4 km at 15 °C); unknown altitudes cannot be compared.
      return known ? value * Math.exp((j.alt - i.alt) / 8434.5) : Number.NaN;
  }
}
