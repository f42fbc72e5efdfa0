import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { trapezoidHours, windowStartIndex } from '../integrate.js';
import { variableIndex } from '../variables.js';

/**
 * The odometer never goes back, and over a window of `windowMinutes` it advances by the integrated OBD speed
 * (within the odometer's 0.1 km resolution and a relative tolerance). Windows with a gap are not compared.
 */
export function checkOdometer(ctx: CheckContext): void {
  const o = variableIndex('vehicle', 'odometer');
  const odo = ctx.series.values[o]!;
  const speed = ctx.series.values[variableIndex('vehicle', 'speed')]!;
  const ts = ctx.series.ts;
  const p = ctx.params.vehicle.odometer;
  const windowMs = p.windowMinutes * 60_000;
  let prev = -1;
  for (let i = 0; i < ctx.n; i++) {
    const x = odo[i]!;
    if (Number.isNaN(x)) {
      continue;
    }
    if (prev >= ctx.lo[i]! && prev >= 0 && x < odo[prev]! - p.decreaseToleranceM) {
      ctx.flagVar(i, o, C.odometer);
      prev = i;
      continue;
    }
    prev = i;
    const j = windowStartIndex(ts, odo, ctx.lo[i]!, i, windowMs);
    if (j < 0 || ts[i]! - ts[j]! < 0.8 * windowMs) {
      continue;
    }
    const travelled = trapezoidHours(ts, speed, j, i, p.maxGapMinutes * 60_000) * 3600;
    if (Number.isNaN(travelled)) {
      continue;
    }
    const tolerance = Math.max(p.absToleranceM, p.relTolerance * travelled);
    if (Math.abs(x - odo[j]! - travelled) > tolerance) {
      ctx.flagVar(i, o, C.odometer);
    }
  }
}
