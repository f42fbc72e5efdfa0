import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

/**
 * GNSS quality of a fix: no fix (NMEA GGA quality 0), fewer satellites than a 3-D fix needs, or a dilution of
 * precision too large to trust. A poor fix invalidates a vehicle's position and never counts as an observed
 * position of a stationary device.
 */
export function checkGnss(ctx: CheckContext): void {
  const { lat, hdop, sats } = ctx.series;
  const fixColumn =
    ctx.series.kind === 'vehicle' ? ctx.series.values[variableIndex('vehicle', 'gnss_fix')]! : undefined;
  const { minFix, minSats, maxHdop } = ctx.params.vehicle.gnss;
  for (let i = 0; i < ctx.n; i++) {
    if (Number.isNaN(lat[i]!)) {
      continue;
    }
    const fix = fixColumn ? fixColumn[i]! : Number.NaN;
    if (fix < minFix || sats[i]! < minSats || hdop[i]! > maxHdop) {
      if (ctx.positionVar >= 0) {
        ctx.flagVar(i, ctx.positionVar, C.gnss);
      } else {
        ctx.flagInfo(i, C.gnss);
      }
    }
  }
}

/** Whether reading i has a position good enough to use (present and not flagged by the GNSS check). */
export function goodFix(ctx: CheckContext, i: number): boolean {
  return !Number.isNaN(ctx.series.lat[i]!) && !ctx.has(i, C.gnss);
}
