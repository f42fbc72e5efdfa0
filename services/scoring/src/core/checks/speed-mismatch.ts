import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { distanceM } from '../geo.js';
import { variableIndex } from '../variables.js';
import { goodFix } from './gnss.js';

/**
 * Position against the vehicle's own speedometer: over the last `windowMinutes`, the distance along the good
 * fixes (sum of the straight lines between consecutive ones) must match the distance the OBD speed integrates to
 * over the same intervals, within `relTolerance` of the larger (chords cut corners, a minute's samples miss
 * stops) or `absToleranceM`, plus the fixes' own error. A spoofed track (a frozen position, a circle at a
 * constant speed, a replayed drive) disagrees with the speedometer; a bend or a tunnel does not move a window of
 * a quarter hour. Pairs more than `maxDtS` apart, or with a teleported fix, break the window. Runs after the
 * GNSS and teleport checks.
 */
export function checkSpeedMismatch(ctx: CheckContext): void {
  const { lat, lon, ts, hdop } = ctx.series;
  const speed = ctx.series.values[variableIndex('vehicle', 'speed')]!;
  const p = ctx.params.vehicle.speedMismatch;
  const uere = ctx.params.vehicle.gnss.uereM;
  const windowMs = p.windowMinutes * 60_000;
  // prefix sums over the usable fixes, in order: chord metres, OBD metres; a pair that cannot be used starts a
  // new segment (its index is remembered so a window never spans it)
  const usable: number[] = [];
  const chord: number[] = [];
  const obd: number[] = [];
  const segment: number[] = [];
  let seg = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!goodFix(ctx, i) || ctx.has(i, C.teleport) || Number.isNaN(speed[i]!)) {
      continue;
    }
    const k = usable.length;
    if (k > 0) {
      const prev = usable[k - 1]!;
      const dt = (ts[i]! - ts[prev]!) / 1000;
      if (dt <= 0 || dt > p.maxDtS) {
        seg++;
        chord.push(chord[k - 1]!);
        obd.push(obd[k - 1]!);
      } else {
        chord.push(chord[k - 1]! + distanceM(lat[prev]!, lon[prev]!, lat[i]!, lon[i]!));
        obd.push(obd[k - 1]! + ((speed[prev]! + speed[i]!) / 2) * dt);
      }
    } else {
      chord.push(0);
      obd.push(0);
    }
    usable.push(i);
    segment.push(seg);
  }
  let start = 0;
  for (let k = 0; k < usable.length; k++) {
    const i = usable[k]!;
    // the window: the earliest usable fix of the same segment within windowMs, inside the reading's context
    while (
      start < k &&
      (segment[start] !== segment[k] || ts[i]! - ts[usable[start]!]! > windowMs || usable[start]! < ctx.lo[i]!)
    ) {
      start++;
    }
    const j = usable[start]!;
    if (ts[i]! - ts[j]! < 0.8 * windowMs) {
      continue;
    }
    const implied = chord[k]! - chord[start]!;
    const reported = obd[k]! - obd[start]!;
    const noise = ((Number.isNaN(hdop[i]!) ? 1 : hdop[i]!) + (Number.isNaN(hdop[j]!) ? 1 : hdop[j]!)) * uere;
    const tolerance = Math.max(p.absToleranceM, p.relTolerance * Math.max(implied, reported)) + noise;
    if (Math.abs(implied - reported) > tolerance) {
      ctx.flagVar(i, ctx.positionVar, C.speed_mismatch);
    }
  }
}
