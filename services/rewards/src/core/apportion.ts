/**
 * Splits `total` base units in proportion to integer `weights` so the parts add up to `total` exactly: each gets
 * floor(total·w/W), and the units left over go one each to the largest remainders, ties to the lower index
 * (callers order their items, e.g. by device id, so ties are deterministic). All-zero weights give all zeros.
 */
export function apportion(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) {
    throw new RangeError('cannot apportion a negative total');
  }
  let sum = 0n;
  for (const w of weights) {
    if (w < 0n) {
      throw new RangeError('weights must be non-negative');
    }
    sum += w;
  }
  if (sum === 0n) {
    return weights.map(() => 0n);
  }
  const parts = weights.map((w) => (total * w) / sum);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  if (left > 0n) {
    const order = weights
      .map((w, i) => ({ i, remainder: (total * w) % sum }))
      .filter((r) => r.remainder > 0n)
      .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
    for (const { i } of order) {
      if (left === 0n) {
        break;
      }
      parts[i]! += 1n;
      left -= 1n;
    }
  }
  return parts;
}
