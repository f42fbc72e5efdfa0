import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { median3 } from '../stats.js';
import { metricsOf } from '../variables.js';

/**
 * Jumps (WeatherXM's per-sample and per-minute thresholds): a value differing from the median of the variable's
 * previous (up to) three in-range values by more than `jumpPerMinute` × minutes since the last one (at least one
 * minute, at most `jumpCap`). Comparing with a median flags a spike once, not again on its way back, and
 * accepts a genuine level shift after two readings.
 */
export function checkJump(ctx: CheckContext): void {
  const specs = metricsOf(ctx.series.kind);
  const rules = ctx.params.variables[ctx.series.kind];
  const ts = ctx.series.ts;
  for (let m = 0; m < specs.length; m++) {
    const spec = specs[m]!;
    const rule = rules[spec.name];
    if (rule?.jumpPerMinute === undefined) {
      continue;
    }
    const perMinute = rule.jumpPerMinute;
    const cap = rule.jumpCap ?? Infinity;
    const x = ctx.series.values[m]!;
    const usable = (j: number) => x[j]! >= spec.min && x[j]! <= spec.max; // false for NaN
    for (let i = 0; i < ctx.n; i++) {
      if (!usable(i)) {
        continue;
      }
      const lo = ctx.lo[i]!;
      let count = 0;
      let a = 0;
      let b = 0;
      let c = 0;
      let lastTs = 0;
      for (let j = i - 1; j >= lo && count < 3; j--) {
        if (!usable(j)) {
          continue;
        }
        if (count === 0) {
          a = x[j]!;
          lastTs = ts[j]!;
        } else if (count === 1) {
          b = x[j]!;
        } else {
          c = x[j]!;
        }
        count++;
      }
      if (count === 0) {
        continue;
      }
      const minutes = Math.max(1, (ts[i]! - lastTs) / 60_000);
      const allowed = Math.min(cap, perMinute * minutes);
      if (Math.abs(x[i]! - median3(a, b, c, count)) > allowed) {
        ctx.flagVar(i, m, C.jump);
      }
    }
  }
}
