import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { distanceM } from '../geo.js';
import { median3 } from '../stats.js';
import { goodFix } from './gnss.js';

/**
 * Teleports: a fix farther from the median of the previous (up to) three good fixes than a vehicle could travel
 * at `maxSpeedMs` since then, after allowing for the fixes' own error (hdop × UERE). Like the jump check, the
 * median flags a glitch once and accepts a real change after two fixes. Runs after the GNSS check.
 */
export function checkTeleport(ctx: CheckContext): void {
  const { lat, lon, ts, hdop } = ctx.series;
  const { maxSpeedMs } = ctx.params.vehicle;
  const uere = ctx.params.vehicle.gnss.uereM;
  const idx = [0, 0, 0];
  for (let i = 0; i < ctx.n; i++) {
    if (!goodFix(ctx, i)) {
      continue;
    }
    let count = 0;
    for (let j = i - 1; j >= ctx.lo[i]! && count < 3; j--) {
      if (goodFix(ctx, j)) {
        idx[count++] = j;
      }
    }
    if (count === 0) {
      continue;
    }
    const [a, b, c] = [idx[0]!, idx[1]!, idx[2]!];
    const refLat = median3(lat[a]!, lat[b]!, lat[c]!, count);
    const refLon = median3(lon[a]!, lon[b]!, lon[c]!, count);
    const refTs = median3(ts[a]!, ts[b]!, ts[c]!, count);
    const dt = Math.max(1, (ts[i]! - refTs) / 1000);
    const allowance = ((Number.isNaN(hdop[i]!) ? 1 : hdop[i]!) + (Number.isNaN(hdop[a]!) ? 1 : hdop[a]!)) * uere;
    const dist = distanceM(refLat, refLon, lat[i]!, lon[i]!);
    if ((dist - allowance) / dt > maxSpeedMs) {
      if (ctx.positionVar >= 0) {
        ctx.flagVar(i, ctx.positionVar, C.teleport);
      } else {
        ctx.flagInfo(i, C.teleport);
      }
    }
  }
}
