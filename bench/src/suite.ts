/** A benchmark suite measures one or more figures of ../shared/BENCHMARKS.md in one run (ratios need that). */
export interface Figure {
  readonly value: number;
  readonly unit: string;
}

export interface SuiteResult {
  readonly figures: Readonly<Record<string, Figure>>;
  /** extra Markdown for bench/RESULTS.md (a confusion matrix, a per-run table, how it was measured) */
  readonly notes?: string;
}

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(): Promise<SuiteResult>;
}

/** Median of several runs: this machine is shared and noisy, so every figure is a median. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('median of nothing');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(fn: () => unknown, ms = 1000, opsPerCall = 1): Promise<number> {
  const end = performance.now() + ms;
  let calls = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await fn();
    calls++;
  }
  return (calls * opsPerCall * 1000) / (performance.now() - start);
}
