import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifySeqs,
  candidatesNeedingHistory,
  storedKey,
  type DeviceSeqState,
  type SeqGap,
  type StoredSeq,
} from './seq.classifier.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const RULES = { nowMs: NOW, lateWindowMs: 60_000, replayAfterMs: 600_000 };
const body = (seq: number, variant = '') => Buffer.from(`{"seq":${seq}${variant}}`);
const c = (seq: number, device = 'dev-a', variant = '', receivedAt = NOW) => ({
  device,
  seq,
  body: body(seq, variant),
  receivedAt,
});
const storedAt = (seq: number, receivedAt = NOW - 1000) => ({ body: body(seq), receivedAt });
const state = (highSeq: number | undefined, gaps: SeqGap[] = []): DeviceSeqState => ({ highSeq, gaps });

describe('classifySeqs', () => {
  it('accepts the first reading of a device and records the seqs before it as a gap', () => {
    const result = classifySeqs([c(5)], new Map(), new Map(), RULES);
    expect(result.verdicts).toEqual([{ kind: 'accept', late: false }]);
    expect(result.updates).toEqual([
      {
        device: 'dev-a',
        highSeq: 5,
        accepted: 1,
        deleteGapsFrom: [],
        insertGaps: [{ from: 0, to: 4, detectedAt: NOW }],
        newGaps: 1,
      },
    ]);
  });

  it('opens no gap for a device that starts at seq 0 and counts up', () => {
    const result = classifySeqs([c(0), c(1), c(2)], new Map(), new Map(), RULES);
    expect(result.verdicts.every((v) => v.kind === 'accept')).toBe(true);
    expect(result.updates[0]).toMatchObject({ highSeq: 2, accepted: 3, insertGaps: [], newGaps: 0 });
  });

  it('records a gap when the seq jumps above the high-water mark', () => {
    const result = classifySeqs([c(13)], new Map([['dev-a', state(9)]]), new Map(), RULES);
    expect(result.verdicts).toEqual([{ kind: 'accept', late: false }]);
    expect(result.updates[0]).toMatchObject({
      highSeq: 13,
      insertGaps: [{ from: 10, to: 12, detectedAt: NOW }],
      newGaps: 1,
    });
  });

  it('takes a batch in seq order, so readings that arrived out of order open no gap', () => {
    const result = classifySeqs([c(12), c(10), c(11)], new Map([['dev-a', state(9)]]), new Map(), RULES);
    expect(result.verdicts).toEqual([
      { kind: 'accept', late: false },
      { kind: 'accept', late: false },
      { kind: 'accept', late: false },
    ]);
    expect(result.updates[0]).toMatchObject({ highSeq: 12, insertGaps: [], newGaps: 0 });
  });

  it('accepts a late reading inside an open gap and splits the gap around it', () => {
    const gap = { from: 10, to: 14, detectedAt: NOW - 1000 };
    const result = classifySeqs([c(12)], new Map([['dev-a', state(15, [gap])]]), new Map(), RULES);
    expect(result.verdicts).toEqual([{ kind: 'accept', late: true }]);
    expect(result.updates[0]).toMatchObject({
      highSeq: 15,
      deleteGapsFrom: [10],
      insertGaps: [
        { from: 10, to: 11, detectedAt: NOW - 1000 },
        { from: 13, to: 14, detectedAt: NOW - 1000 },
      ],
      newGaps: 0,
    });
  });

  it('closes a one-seq gap completely when its reading arrives', () => {
    const gap = { from: 7, to: 7, detectedAt: NOW - 10 };
    const result = classifySeqs([c(7)], new Map([['dev-a', state(8, [gap])]]), new Map(), RULES);
    expect(result.updates[0]).toMatchObject({ deleteGapsFrom: [7], insertGaps: [] });
  });

  it('refuses a reading for a gap whose late window has closed as NON_INCREASING_SEQ', () => {
    const gap = { from: 10, to: 14, detectedAt: NOW - 60_001 };
    const result = classifySeqs([c(12)], new Map([['dev-a', state(15, [gap])]]), new Map(), RULES);
    expect(result.verdicts[0]).toMatchObject({ kind: 'reject', code: 'NON_INCREASING_SEQ' });
    expect(result.updates).toEqual([]);
  });

  it('calls a redelivered reading (same body, already stored) a duplicate', () => {
    const stored = new Map([[storedKey('dev-a', 8), storedAt(8)]]);
    const result = classifySeqs([c(8)], new Map([['dev-a', state(9)]]), stored, RULES);
    expect(result.verdicts).toEqual([{ kind: 'duplicate' }]);
    expect(result.updates).toEqual([]);
  });

  it('refuses a verbatim copy arriving longer than replayAfterMs after the stored one as a replay (NON_INCREASING_SEQ)', () => {
    const stored = new Map([
      [storedKey('dev-a', 7), storedAt(7, NOW - 600_000)],
      [storedKey('dev-a', 8), storedAt(8, NOW - 600_001)],
      [storedKey('dev-a', 9), storedAt(9, NOW - 3 * 3600_000)],
    ]);
    const result = classifySeqs([c(7), c(8), c(9)], new Map([['dev-a', state(9)]]), stored, RULES);
    expect(result.verdicts).toEqual([
      { kind: 'duplicate' },
      {
        kind: 'reject',
        code: 'NON_INCREASING_SEQ',
        detail: 'seq 8 is a verbatim copy of the reading received 10 min earlier: an old message sent again',
      },
      {
        kind: 'reject',
        code: 'NON_INCREASING_SEQ',
        detail: 'seq 9 is a verbatim copy of the reading received 180 min earlier: an old message sent again',
      },
    ]);
    expect(result.updates).toEqual([]);
  });

  it('times a copy within one batch from the copy accepted before it', () => {
    const copies = [c(1, 'dev-a', '', NOW - 700_000), c(1, 'dev-a', '', NOW - 650_000), c(1)];
    const result = classifySeqs(copies, new Map(), new Map(), RULES);
    expect(result.verdicts.map((v) => v.kind)).toEqual(['accept', 'duplicate', 'reject']);
  });

  it('refuses a different body for a stored seq as REPLAYED_SEQ', () => {
    const stored = new Map([[storedKey('dev-a', 8), storedAt(8)]]);
    const result = classifySeqs([c(8, 'dev-a', ',"x":1')], new Map([['dev-a', state(9)]]), stored, RULES);
    expect(result.verdicts[0]).toMatchObject({ kind: 'reject', code: 'REPLAYED_SEQ' });
  });

  it('refuses a seq below the high-water mark that is neither stored nor in a gap as NON_INCREASING_SEQ', () => {
    const result = classifySeqs([c(3)], new Map([['dev-a', state(9)]]), new Map(), RULES);
    expect(result.verdicts[0]).toMatchObject({ kind: 'reject', code: 'NON_INCREASING_SEQ' });
  });

  it('within one batch: a repeated identical reading is a duplicate, a repeated seq with another body a replay', () => {
    const result = classifySeqs([c(1), c(1), c(1, 'dev-a', ',"x":2')], new Map(), new Map(), RULES);
    expect(result.verdicts.map((v) => v.kind)).toEqual(['accept', 'duplicate', 'reject']);
    expect(result.updates[0]).toMatchObject({ accepted: 1, highSeq: 1 });
  });

  it('keeps devices apart', () => {
    const result = classifySeqs([c(1, 'a'), c(1, 'b'), c(3, 'a')], new Map([['b', state(0)]]), new Map(), RULES);
    expect(result.verdicts.every((v) => v.kind === 'accept')).toBe(true);
    const byDevice = Object.fromEntries(result.updates.map((u) => [u.device, u]));
    expect(byDevice.a).toMatchObject({
      highSeq: 3,
      accepted: 2,
      insertGaps: [
        { from: 0, to: 0 },
        { from: 2, to: 2 },
      ],
    });
    expect(byDevice.b).toMatchObject({ highSeq: 1, accepted: 1, insertGaps: [] });
  });
});

describe('candidatesNeedingHistory', () => {
  it('selects the candidates at or below their device high-water mark', () => {
    const candidates = [c(5, 'a'), c(9, 'a'), c(10, 'a'), c(1, 'new')];
    const highs = new Map<string, number | undefined>([
      ['a', 9],
      ['new', undefined],
    ]);
    expect(candidatesNeedingHistory(candidates, highs).map((x) => x.seq)).toEqual([5, 9]);
  });
});

/** Replays batches through classifySeqs with an in-memory store, as the repository does with the database. */
function replay(batches: number[][]) {
  let st: DeviceSeqState = state(undefined);
  const stored = new Map<string, StoredSeq>();
  let accepted = 0;
  let refused = 0;
  for (const seqs of batches) {
    const result = classifySeqs(
      seqs.map((s) => c(s)),
      new Map([['dev-a', st]]),
      stored,
      RULES,
    );
    result.verdicts.forEach((v, i) => {
      if (v.kind === 'accept') {
        accepted++;
        stored.set(storedKey('dev-a', seqs[i]!), storedAt(seqs[i]!));
      } else if (v.kind === 'reject') {
        refused++;
      }
    });
    for (const u of result.updates) {
      const kept = st.gaps.filter((g) => !u.deleteGapsFrom.includes(g.from));
      st = { highSeq: u.highSeq, gaps: [...kept, ...u.insertGaps] };
    }
  }
  return { accepted, refused, state: st, stored };
}

describe('seq bookkeeping over any delivery order (property)', () => {
  it('stores every seq exactly once and leaves no gap when all arrive within the late window, in any order and split', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((n) =>
            fc.tuple(
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.array(fc.integer({ min: 1, max: n }), { maxLength: 6 }),
              fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 10 }),
            ),
          ),
        ([order, cuts, redelivered]) => {
          const sequence = [...order, ...redelivered];
          const points = [...new Set([0, ...cuts.filter((x) => x < sequence.length), sequence.length])].sort(
            (a, b) => a - b,
          );
          const batches = points.slice(1).map((end, i) => sequence.slice(points[i], end));
          const { accepted, refused, state: final } = replay(batches);
          expect(accepted).toBe(order.length);
          expect(refused).toBe(0);
          expect(final.highSeq).toBe(order.length - 1);
          expect(final.gaps).toEqual([]);
        },
      ),
    );
  });
});
