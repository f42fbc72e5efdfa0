/**
 * Deterministic statistics: inputs are copied and sorted numerically; an even count's median is
 * `a + (b − a) / 2` (the formula PostgreSQL's percentile_cont uses), so the same values give the same bits.
 */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) {
    return Number.NaN;
  }
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : sorted[mid - 1]! + (sorted[mid]! - sorted[mid - 1]!) / 2;
}

/** Median absolute deviation from `center`. */
export function mad(values: ArrayLike<number>, center: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    deviations[i] = Math.abs(values[i]! - center);
  }
  return median(deviations);
}

/** Median of three (or fewer) numbers without allocating. */
export function median3(a: number, b: number, c: number, count: number): number {
  if (count === 1) {
    return a;
  }
  if (count === 2) {
    return a + (b - a) / 2;
  }
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Scale that makes the MAD a consistent estimator of the standard deviation for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/** The median of `values`, sorting them in place (for scratch buffers on hot paths; same result as median()). */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) {
    return Number.NaN;
  }
  values.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : values[mid - 1]! + (values[mid]! - values[mid - 1]!) / 2;
}
