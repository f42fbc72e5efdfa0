import { distanceM, METRES_PER_DEGREE } from '../geo.js';

export interface Station {
  readonly lat: number;
  readonly lon: number;
  /** metres; NaN when unknown */
  readonly alt: number;
}

/**
 * For each station, the indexes of the other stations within `radiusM`, ascending. Stations are bucketed by
 * latitude (sorted, binary-searched band), then filtered by great-circle distance.
 */
export function neighbourLists(stations: readonly Station[], radiusM: number): Int32Array[] {
  const order = stations.map((_, i) => i).sort((a, b) => stations[a]!.lat - stations[b]!.lat || a - b);
  const lats = Float64Array.from(order, (i) => stations[i]!.lat);
  const band = radiusM / METRES_PER_DEGREE;
  return stations.map((station, self) => {
    const found: number[] = [];
    for (let k = lowerBound(lats, station.lat - band); k < order.length && lats[k]! <= station.lat + band; k++) {
      const other = order[k]!;
      if (other !== self) {
        const s = stations[other]!;
        if (distanceM(station.lat, station.lon, s.lat, s.lon) <= radiusM) {
          found.push(other);
        }
      }
    }
    return Int32Array.from(found).sort();
  });
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
