import { describe, expect, it } from 'vitest';
import { CheckContext } from '../context.js';
import { regular, runChecks } from '../harness.js';
import { checkSeq, seqGaps } from './seq.js';

describe('seq check', () => {
  it('flags a sequence number that does not increase with time, and counts gaps', () => {
    // Given seq 1, 2, 5 (two missing), 5 again (a second reading with the same seq) and 4 (going back)
    const seqs = [1, 2, 5, 5, 4];
    const readings = regular(5, () => ({ temperature: 10 })).map((r, i) => ({ ...r, seq: seqs[i]! }));

    const result = runChecks('weather', readings, [checkSeq]);

    expect(result.flaggedBy('seq')).toEqual([3, 4]);
    expect(result.invalidVariables(3)).toEqual(['temperature']);
    const ctx: CheckContext = result.ctx;
    expect(seqGaps(ctx, 0, 5)).toBe(2);
  });

  it('accepts strictly increasing sequence numbers', () => {
    expect(
      runChecks(
        'weather',
        regular(10, () => ({ temperature: 1 })),
        [checkSeq],
      ).flaggedBy('seq'),
    ).toEqual([]);
  });
});
