import { distanceM, METRES_PER_DEGREE } from '../geo.js';

export interface Station {
  readonly lat: number;
  readonly lon: number;
  /** metres; NaN when unknown */
  readonly alt: number;
}

/**
 * For each station, the indexes of the other stations within `radiusM` (the nearest `maxNeighbours` of them, ties
 * by index), ascending. Stations are bucketed by latitude (sorted, binary-searched band), then filtered by
 * great-circle distance.
 */
export function neighbourLists(stations: readonly Station[], radiusM: number, maxNeighbours = Infinity): Int32Array[] {
  const order = stations.map((_, i) => i).sort((a, b) => stations[a]!.lat - stations[b]!.lat || a - b);
  const lats = Float64Array.from(order, (i) => stations[i]!.lat);
  const band = radiusM / METRES_PER_DEGREE;
  return stations.map((station, self) => {
    const found: number[] = [];
    const distances: number[] = [];
    for (let k = lowerBound(lats, station.lat - band); k < order.length && lats[k]! <= station.lat + band; k++) {
      const other = order[k]!;
      if (other !== self) {
        const s = stations[other]!;
        const d = distanceM(station.lat, station.lon, s.lat, s.lon);
        if (d <= radiusM) {
          found.push(other);
          distances.push(d);
        }
      }
    }
    if (found.length > maxNeighbours) {
      const nearest = found
        .map((index, k) => ({ index, d: distances[k]! }))
        .sort((a, b) => a.d - b.d || a.index - b.index)
        .slice(0, maxNeighbours);
      return Int32Array.from(nearest, (n) => n.index).sort();
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
