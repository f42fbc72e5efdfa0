import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { clearSkyGhi, solarDay, sunElevationWith } from '../sun.js';
import { HOUR_MS } from '../time.js';
import { variableIndex } from '../variables.js';

/**
 * Irradiance against the sun at the station's declared position: light with the sun below the horizon (or far
 * above what a clear sky gives) is faulty; an hour of daylight whose brightest minute stays under a few percent
 * of clear sky is dark even under heavy cloud: the sensor is indoors or shaded (`shade`). Stores each reading's
 * clear-sky irradiance in `ctx.clearSky` for the hourly clear-sky index the neighbour check compares.
 */
export function checkSolar(ctx: CheckContext): void {
  const declared = ctx.meta.declared;
  if (!declared) {
    return;
  }
  const g = variableIndex('weather', 'solar_irradiance');
  const u = variableIndex('weather', 'uv_index');
  const irr = ctx.series.values[g]!;
  const uv = ctx.series.values[u]!;
  if (irr.every(Number.isNaN) && uv.every(Number.isNaN)) {
    return; // no light sensor: nothing to compare with the sun
  }
  const ts = ctx.series.ts;
  const p = ctx.params.weather.solar;
  const clearSky = new Float64Array(ctx.n).fill(Number.NaN);
  const elevation = new Float64Array(ctx.n);
  ctx.clearSky = clearSky;
  let i = 0;
  while (i < ctx.n) {
    const end = ctx.hi[i]!;
    const hour = Math.floor(ts[i]! / HOUR_MS) * HOUR_MS;
    const day = solarDay(hour + HOUR_MS / 2);
    let maxIrr = -Infinity;
    let maxClear = 0;
    let daylight = true;
    for (let j = i; j < end; j++) {
      const e = sunElevationWith(day, ts[j]!, declared.lat, declared.lon);
      elevation[j] = e;
      const clear = clearSkyGhi(e);
      clearSky[j] = clear;
      daylight &&= e >= p.daylightElevationDeg;
      maxClear = Math.max(maxClear, clear);
      const x = irr[j]!;
      if (Number.isNaN(x)) {
        continue;
      }
      maxIrr = Math.max(maxIrr, x);
      if ((e < p.nightElevationDeg && x > p.nightMaxWm2) || x > p.clearSkyFactor * clear + p.clearSkyMarginWm2) {
        ctx.flagVar(j, g, C.solar);
      }
      if (e < p.nightElevationDeg && uv[j]! > 0.5) {
        ctx.flagVar(j, u, C.solar);
      }
    }
    if (daylight && maxIrr !== -Infinity && maxIrr < p.darkRatio * maxClear) {
      for (let j = i; j < end; j++) {
        if (!Number.isNaN(irr[j]!)) {
          ctx.flagVar(j, g, C.shade);
        }
        if (!Number.isNaN(uv[j]!)) {
          ctx.flagVar(j, u, C.shade);
        }
      }
    }
    i = end;
  }
}
