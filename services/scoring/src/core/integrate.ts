/**
 * Trapezoid integral of `rate` over readings [from, to] (inclusive), in rate-units × hours, or NaN when a value
 * is missing or two consecutive readings are more than `maxGapMs` apart. Summed in index order, so the same
 * window always gives the same bits.
 */
export function trapezoidHours(
  ts: Float64Array,
  rate: Float64Array,
  from: number,
  to: number,
  maxGapMs: number,
): number {
  let sum = 0;
  for (let k = from + 1; k <= to; k++) {
    const dt = ts[k]! - ts[k - 1]!;
    const a = rate[k - 1]!;
    const b = rate[k]!;
    if (dt > maxGapMs || Number.isNaN(a) || Number.isNaN(b)) {
      return Number.NaN;
    }
    sum += ((a + b) / 2) * (dt / 3_600_000);
  }
  return sum;
}

/** First index j in [lo, i] with ts[j] ≥ ts[i] − windowMs and a value present, or -1. */
export function windowStartIndex(
  ts: Float64Array,
  values: Float64Array,
  lo: number,
  i: number,
  windowMs: number,
): number {
  let found = -1;
  for (let j = i - 1; j >= lo && ts[j]! >= ts[i]! - windowMs; j--) {
    if (!Number.isNaN(values[j]!)) {
      found = j;
    }
  }
  return found;
}
