import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { metricsOf } from '../variables.js';

/** A run of equal values breaks at a gap longer than this between two of its values. */
const MAX_RUN_GAP_MS = 15 * 60_000;

/**
 * Stuck values (WeatherXM's constant-data check): a variable whose value stays exactly the same for at least its
 * `stuckMinutes`, unless the value is one that legitimately persists (calm, darkness, saturation): those readings
 * are only marked (`ctx.exemptStuck`), and the neighbour pass flags them when the neighbourhood does not share
 * the level (a sensor pegged at 100 % while the stations around read 60 % is stuck, not in fog). Then the
 * frozen-sensor rule: every value of the reading unchanged for `frozen.minutes`. The run's length is measured
 * within the reading's context window, so it does not depend on how much history was loaded.
 */
export function checkStuck(ctx: CheckContext): void {
  const specs = metricsOf(ctx.series.kind);
  const rules = ctx.params.variables[ctx.series.kind];
  const runStart = new Int32Array(ctx.n);
  const runEnd = new Int32Array(ctx.n);
  for (let m = 0; m < specs.length; m++) {
    const rule = rules[specs[m]!.name];
    if (rule?.stuckMinutes === undefined) {
      continue;
    }
    const x = ctx.series.values[m]!;
    const companion = rule.stuckOnlyWhile ? specs.findIndex((spec) => spec.name === rule.stuckOnlyWhile!.variable) : -1;
    const exemptLow = rule.stuckExemptAtOrBelow ?? -Infinity;
    const exemptHigh = rule.stuckExemptAtOrAbove ?? Infinity;

    valueRuns(ctx.series.ts, x, runStart, runEnd);
    const minMs = rule.stuckMinutes * 60_000;
    for (let i = 0; i < ctx.n; i++) {
      const value = x[i]!;
      if (Number.isNaN(value)) {
        continue;
      }
      if (companion >= 0 && !(ctx.series.values[companion]![i]! > rule.stuckOnlyWhile!.above)) {
        continue;
      }
      if (windowedDuration(ctx, i, runStart[i]!, runEnd[i]!) >= minMs) {
        if (value <= exemptLow || value >= exemptHigh) {
          ctx.exemptStuck[i]! |= 1 << m;
          ctx.anyExemptStuck = true;
        } else {
          ctx.flagVar(i, m, C.stuck);
        }
      }
    }
  }
  checkFrozen(ctx, runStart, runEnd);
}

function checkFrozen(ctx: CheckContext, runStart: Int32Array, runEnd: Int32Array): void {
  const { values, lat, lon } = ctx.series;
  const specs = metricsOf(ctx.series.kind);
  const rules = ctx.params.variables[ctx.series.kind];
  const exempt = ctx.params.frozen.exemptWhenZero[ctx.series.kind].map((name) =>
    specs.findIndex((s) => s.name === name),
  );
  const same = (i: number, j: number): boolean => {
    for (let m = 0; m < values.length; m++) {
      if (!equalOrBothNaN(values[m]![i]!, values[m]![j]!)) {
        return false;
      }
    }
    return equalOrBothNaN(lat[i]!, lat[j]!) && equalOrBothNaN(lon[i]!, lon[j]!);
  };
  // A frozen reading must hold a value that is expected to move (one with a stuck rule, not at an exempt level).
  const moving = (i: number): boolean =>
    specs.some((spec, m) => {
      const rule = rules[spec.name];
      const x = values[m]![i]!;
      return (
        rule?.stuckMinutes !== undefined &&
        !Number.isNaN(x) &&
        !(x <= (rule.stuckExemptAtOrBelow ?? -Infinity)) &&
        !(x >= (rule.stuckExemptAtOrAbove ?? Infinity))
      );
    });
  runs(ctx, same, () => true, runStart, runEnd);
  const minMs = ctx.params.frozen.minutes * 60_000;
  for (let i = 0; i < ctx.n; i++) {
    if (runEnd[i] === runStart[i] || exempt.some((m) => m >= 0 && values[m]![i] === 0) || !moving(i)) {
      continue;
    }
    if (windowedDuration(ctx, i, runStart[i]!, runEnd[i]!) >= minMs) {
      ctx.flagReading(i, C.stuck);
    }
  }
}

function equalOrBothNaN(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** {@link runs} for one numeric column: runs of exactly equal values, NaN readings left out. */
function valueRuns(ts: Float64Array, x: Float64Array, runStart: Int32Array, runEnd: Int32Array): void {
  const n = x.length;
  let start = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const value = x[i]!;
    if (Number.isNaN(value)) {
      runStart[i] = i;
      runEnd[i] = i;
      continue;
    }
    if (last >= 0 && value === x[last] && ts[i]! - ts[last]! <= MAX_RUN_GAP_MS) {
      runStart[i] = start;
    } else {
      if (last >= 0) {
        for (let j = start; j <= last; j++) {
          runEnd[j] = last;
        }
      }
      start = i;
      runStart[i] = i;
    }
    last = i;
  }
  if (last >= 0) {
    for (let j = start; j <= last; j++) {
      runEnd[j] = last;
    }
  }
}

/** Marks maximal runs of consecutive usable readings that are `equal` to their predecessor (with no long gap). */
function runs(
  ctx: CheckContext,
  equal: (i: number, j: number) => boolean,
  usable: (i: number) => boolean,
  runStart: Int32Array,
  runEnd: Int32Array,
): void {
  const ts = ctx.series.ts;
  let start = -1;
  let last = -1;
  const close = (end: number) => {
    for (let j = start; j <= end; j++) {
      runEnd[j] = end;
    }
  };
  for (let i = 0; i < ctx.n; i++) {
    if (!usable(i)) {
      runStart[i] = i;
      runEnd[i] = i;
      continue;
    }
    if (last >= 0 && equal(i, last) && ts[i]! - ts[last]! <= MAX_RUN_GAP_MS) {
      runStart[i] = start;
    } else {
      if (last >= 0) {
        close(last);
      }
      start = i;
      runStart[i] = i;
    }
    last = i;
  }
  if (last >= 0) {
    close(last);
  }
  // Unusable readings inside a run were given their own index; the loop above overwrote runEnd only for
  // the usable members, which are the only ones a caller reads.
}

/** Duration of run [start, end] clipped to reading i's context window (lookback .. end of its hour). */
function windowedDuration(ctx: CheckContext, i: number, start: number, end: number): number {
  const ts = ctx.series.ts;
  const from = Math.max(ts[start]!, ts[ctx.lo[i]!]!);
  const to = Math.min(ts[end]!, ts[ctx.hi[i]! - 1]!);
  return to - from;
}
