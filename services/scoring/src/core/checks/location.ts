import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { distanceM } from '../geo.js';
import { goodFix } from './gnss.js';

/**
 * Declared against observed position: for stationary devices that report fixes, a good fix farther than
 * `maxDistanceM` from the declared location; for vehicles, a good fix outside the operating area (`vehicleAreaM`
 * around the declared home base). A mismatch counts for the location score only.
 */
export function checkLocation(ctx: CheckContext): void {
  const declared = ctx.meta.declared;
  if (!declared) {
    return;
  }
  const { lat, lon } = ctx.series;
  const max = ctx.series.kind === 'vehicle' ? ctx.params.location.vehicleAreaM : ctx.params.location.maxDistanceM;
  for (let i = 0; i < ctx.n; i++) {
    if (goodFix(ctx, i) && distanceM(declared.lat, declared.lon, lat[i]!, lon[i]!) > max) {
      ctx.flagInfo(i, C.location);
    }
  }
}

/**
 * One key at two places at once: a fix far (`cloneDistanceM`) from the previous fix but back near the one
 * before it, faster than any vehicle moves (A, B, A). A real device, even a moving one, cannot flip between two
 * places every reading; a teleport glitch flips once.
 */
export function checkClone(ctx: CheckContext): void {
  const { lat, lon, ts } = ctx.series;
  const { cloneDistanceM, maxDistanceM } = ctx.params.location;
  const maxSpeed = ctx.params.vehicle.maxSpeedMs;
  let b = -1;
  let a = -1;
  for (let i = 0; i < ctx.n; i++) {
    if (Number.isNaN(lat[i]!)) {
      continue;
    }
    if (a >= ctx.lo[i]! && a >= 0) {
      const jump = distanceM(lat[b]!, lon[b]!, lat[i]!, lon[i]!);
      const back = distanceM(lat[a]!, lon[a]!, lat[i]!, lon[i]!);
      const dt = Math.max(1, (ts[i]! - ts[b]!) / 1000);
      if (jump > cloneDistanceM && back <= Math.max(maxDistanceM, cloneDistanceM / 4) && jump / dt > maxSpeed) {
        ctx.flagInfo(i, C.clone);
      }
    }
    a = b;
    b = i;
  }
}
