import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

/** A gust is the peak of the wind: it cannot be below the mean wind speed of the same reading. */
export function checkGust(ctx: CheckContext): void {
  const s = variableIndex('weather', 'wind_speed');
  const g = variableIndex('weather', 'wind_gust');
  const speed = ctx.series.values[s]!;
  const gust = ctx.series.values[g]!;
  const tolerance = ctx.params.weather.gustToleranceMs;
  for (let i = 0; i < ctx.n; i++) {
    if (gust[i]! < speed[i]! - tolerance) {
      ctx.flagVar(i, s, C.gust);
      ctx.flagVar(i, g, C.gust);
    }
  }
}
