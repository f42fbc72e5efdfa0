import { C } from '../checks.js';
import type { CheckContext } from '../context.js';

/**
 * Device clock against receive time. A reading stamped later than it was received (beyond the tolerance) has
 * a clock running ahead. A clock running behind looks like latency, which store-and-forward makes legitimate;
 * so an hour is flagged only when even its freshest reading lagged more than the tolerance while its readings
 * arrived spread over time (streamed live, not flushed from a backlog in one burst).
 */
export function checkClockSkew(ctx: CheckContext): void {
  const { ts, recv } = ctx.series;
  const ahead = ctx.params.clock.aheadToleranceS * 1000;
  const behind = ctx.params.clock.behindToleranceS * 1000;
  const streamed = ctx.params.clock.streamedFraction;
  let i = 0;
  while (i < ctx.n) {
    const end = ctx.hi[i]!;
    let minLag = Infinity;
    let recvMin = Infinity;
    let recvMax = -Infinity;
    let known = 0;
    for (let j = i; j < end; j++) {
      const r = recv[j]!;
      if (Number.isNaN(r)) {
        continue;
      }
      known++;
      const lag = r - ts[j]!;
      if (lag < -ahead) {
        ctx.flagReading(j, C.clock_skew);
      }
      minLag = Math.min(minLag, lag);
      recvMin = Math.min(recvMin, r);
      recvMax = Math.max(recvMax, r);
    }
    const tsSpan = ts[end - 1]! - ts[i]!;
    if (known >= 2 && minLag > behind && tsSpan > 0 && recvMax - recvMin >= streamed * tsSpan) {
      for (let j = i; j < end; j++) {
        if (!Number.isNaN(recv[j]!)) {
          ctx.flagReading(j, C.clock_skew);
        }
      }
    }
    i = end;
  }
}

/** Smallest receive lag of readings [from, to), seconds (NaN when no receive time is known). */
export function minLagSeconds(recv: Float64Array, ts: Float64Array, from: number, to: number): number {
  let min = Infinity;
  for (let j = from; j < to; j++) {
    const lag = recv[j]! - ts[j]!;
    if (lag < min) {
      min = lag;
    }
  }
  return min === Infinity ? Number.NaN : min / 1000;
}
