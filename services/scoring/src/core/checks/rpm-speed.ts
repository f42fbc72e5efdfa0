import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

/**
 * A moving combustion vehicle turns its engine: speed with a zero rpm, or a speed per 1000 rpm no gearbox gives
 * (from first gear to an overdriven top gear while coasting), flags both. Vehicles that report no rpm (electric)
 * are not checked.
 */
export function checkRpmSpeed(ctx: CheckContext): void {
  const s = variableIndex('vehicle', 'speed');
  const r = variableIndex('vehicle', 'rpm');
  const speed = ctx.series.values[s]!;
  const rpm = ctx.series.values[r]!;
  const { movingSpeedMs, minMsPer1000Rpm, maxMsPer1000Rpm } = ctx.params.vehicle.rpmSpeed;
  for (let i = 0; i < ctx.n; i++) {
    const v = speed[i]!;
    const e = rpm[i]!;
    if (!(v > movingSpeedMs) || Number.isNaN(e)) {
      continue;
    }
    const ratio = e > 0 ? v / (e / 1000) : Infinity;
    if (ratio < minMsPer1000Rpm || ratio > maxMsPer1000Rpm) {
      ctx.flagVar(i, s, C.rpm_speed);
      ctx.flagVar(i, r, C.rpm_speed);
    }
  }
}
