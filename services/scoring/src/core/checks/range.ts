import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { metricsOf } from '../variables.js';

/** Physical range from the metric catalogue (WeatherXM's out-of-bounds check, with the protocol's limits). */
export function checkRange(ctx: CheckContext): void {
  const specs = metricsOf(ctx.series.kind);
  for (let m = 0; m < specs.length; m++) {
    const { min, max } = specs[m]!;
    const column = ctx.series.values[m]!;
    for (let i = 0; i < ctx.n; i++) {
      const x = column[i]!;
      if (x < min || x > max) {
        ctx.flagVar(i, m, C.range);
      }
    }
  }
}
