import type { HardwareKind } from '@groundtruth/protocol';
import { ALGORITHMS, QOD_1_0_0 } from './algorithms.js';
import { checkNames } from './checks.js';
import { CheckContext } from './context.js';
import type { DeviceMeta } from './device-meta.js';
import type { ScoringParams } from './params.js';
import type { ReadingCheck } from './pipeline.js';
import { seriesFromReadings, type PlainReading } from './series.js';
import { variablesOf } from './variables.js';

/**
 * Runs checks on hand-written readings and answers in names: which checks flagged reading i, which variables of
 * it are invalid. For unit tests and for explaining a series at a REPL; no I/O.
 */
export function runChecks(
  kind: HardwareKind,
  readings: readonly PlainReading[],
  checks: readonly ReadingCheck[],
  options: { meta?: Partial<DeviceMeta>; params?: ScoringParams } = {},
): CheckedSeries {
  const params = options.params ?? ALGORITHMS.get(QOD_1_0_0.version)!;
  const series = seriesFromReadings('device', kind, readings);
  const meta: DeviceMeta = { device: 'device', kind, intervalS: 60, status: 'active', ...options.meta };
  const ctx = new CheckContext(series, meta, params);
  for (const check of checks) {
    check(ctx);
  }
  return new CheckedSeries(ctx);
}

export class CheckedSeries {
  constructor(readonly ctx: CheckContext) {}

  /** Check ids that flagged reading i (in time order). */
  checksOf(i: number): string[] {
    return checkNames(this.ctx.flags[i]!);
  }

  /** Indexes of the readings a check flagged. */
  flaggedBy(check: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.ctx.n; i++) {
      if (this.checksOf(i).includes(check)) {
        out.push(i);
      }
    }
    return out;
  }

  /** Names of the variables of reading i that no longer count as valid. */
  invalidVariables(i: number): string[] {
    const names = variablesOf(this.ctx.series.kind);
    return names.filter((_, v) => this.ctx.primary[i * this.ctx.vars + v] !== 0);
  }
}

/** Readings every `stepS` seconds from `start`, with metrics from `metrics(i)`. */
export function regular(
  count: number,
  metrics: (i: number) => Record<string, number>,
  options: { start?: number; stepS?: number; loc?: (i: number) => PlainReading['loc']; recvLagS?: number } = {},
): PlainReading[] {
  const start = options.start ?? Date.UTC(2026, 5, 1, 0, 0, 0);
  const step = (options.stepS ?? 60) * 1000;
  return Array.from({ length: count }, (_, i) => {
    const ts = start + i * step;
    const loc = options.loc?.(i);
    return {
      seq: i + 1,
      ts,
      recv: ts + (options.recvLagS ?? 2) * 1000,
      metrics: metrics(i),
      ...(loc ? { loc } : {}),
    };
  });
}
