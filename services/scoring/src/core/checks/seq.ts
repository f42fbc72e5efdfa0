import { C } from '../checks.js';
import type { CheckContext } from '../context.js';

/**
 * Sequence numbers must increase with time: a reading whose seq is not above the previous reading's (in time
 * order) comes from a replayed or second copy of the device, or from a clock that jumped back.
 */
export function checkSeq(ctx: CheckContext): void {
  const { seq } = ctx.series;
  for (let i = 1; i < ctx.n; i++) {
    if (i - 1 >= ctx.lo[i]! && seq[i]! <= seq[i - 1]!) {
      ctx.flagReading(i, C.seq);
    }
  }
}

/** Sequence numbers skipped between consecutive readings of [from, to) (a gap before `from` counts if in context). */
export function seqGaps(ctx: CheckContext, from: number, to: number): number {
  const { seq } = ctx.series;
  let gaps = 0;
  for (let i = Math.max(from, 1); i < to; i++) {
    if (i - 1 >= ctx.lo[i]!) {
      const step = seq[i]! - seq[i - 1]!;
      if (step > 1) {
        gaps += step - 1;
      }
    }
  }
  return gaps;
}
