import { latLngToCell } from 'h3-js';
import { cellResolutions } from '../core/dataset-query.js';

/** Exact H3 membership of a location, for cell sets of mixed resolutions. */
export function cellMatcher(cells: readonly string[]): (lat: number | null, lon: number | null) => boolean {
  const set = new Set(cells);
  const resolutions = cellResolutions(cells);
  return (lat, lon) => {
    if (lat === null || lon === null) {
      return false;
    }
    for (const resolution of resolutions) {
      if (set.has(latLngToCell(lat, lon, resolution))) {
        return true;
      }
    }
    return false;
  };
}
