import { C } from '../checks.js';
import type { CheckContext } from '../context.js';

/**
 * Bits the ingest set on a reading (its cheap per-reading checks, `services/ingest/src/quality.flags.ts`) are
 * recorded for explanations. They invalidate nothing: the range and clock checks recompute the same facts with
 * this version's parameters, and the backlog and reordering bits are no fault.
 */
export function checkIngestFlags(ctx: CheckContext): void {
  const { qflags } = ctx.series;
  const mask = ctx.params.ingestFlagMask;
  for (let i = 0; i < ctx.n; i++) {
    if ((qflags[i]! & mask) !== 0) {
      ctx.flagInfo(i, C.ingest);
    }
  }
}
