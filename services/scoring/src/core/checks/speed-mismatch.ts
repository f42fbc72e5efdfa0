import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { distanceM } from '../geo.js';
import { variableIndex } from '../variables.js';
import { goodFix } from './gnss.js';

/**
 * Position against the vehicle's own speedometer: the speed implied by two consecutive good fixes must match the
 * mean OBD speed over the same interval (a spoofed or replayed track does not). One disagreeing pair can be a
 * bend or a tunnel, so a fix is flagged when its pair and at least `minMismatched` of the last `window` pairs
 * disagree. Runs after the GNSS and teleport checks.
 */
export function checkSpeedMismatch(ctx: CheckContext): void {
  const { lat, lon, ts, hdop } = ctx.series;
  const speed = ctx.series.values[variableIndex('vehicle', 'speed')]!;
  const p = ctx.params.vehicle.speedMismatch;
  const uere = ctx.params.vehicle.gnss.uereM;
  // per reading: 1 mismatched pair ending here, 0 matching pair, -1 no pair
  const pair = new Int8Array(ctx.n).fill(-1);
  let prev = -1;
  for (let i = 0; i < ctx.n; i++) {
    if (!goodFix(ctx, i) || ctx.has(i, C.teleport) || Number.isNaN(speed[i]!)) {
      continue;
    }
    if (prev >= ctx.lo[i]! && prev >= 0) {
      const dt = (ts[i]! - ts[prev]!) / 1000;
      if (dt >= p.minDtS && dt <= p.maxDtS) {
        const implied = distanceM(lat[prev]!, lon[prev]!, lat[i]!, lon[i]!) / dt;
        const reported = (speed[prev]! + speed[i]!) / 2;
        const noise =
          (((Number.isNaN(hdop[i]!) ? 1 : hdop[i]!) + (Number.isNaN(hdop[prev]!) ? 1 : hdop[prev]!)) * uere) / dt;
        const tolerance = Math.max(p.absToleranceMs, p.relTolerance * reported) + noise;
        pair[i] = Math.abs(implied - reported) > tolerance ? 1 : 0;
      }
    }
    prev = i;
  }
  for (let i = 0; i < ctx.n; i++) {
    if (pair[i] !== 1) {
      continue;
    }
    let seen = 0;
    let bad = 0;
    for (let j = i; j >= ctx.lo[i]! && seen < p.window; j--) {
      if (pair[j] !== -1) {
        seen++;
        bad += pair[j]!;
      }
    }
    if (bad >= p.minMismatched) {
      ctx.flagVar(i, ctx.positionVar, C.speed_mismatch);
    }
  }
}
