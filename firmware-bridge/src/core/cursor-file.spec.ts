import { describe, expect, it } from 'vitest';
import { decodeCursorSlot, encodeCursorSlot, newestSlot } from './cursor-file.js';

describe('cursor slots', () => {
  it('round-trips a state with its generation', () => {
    const slot = encodeCursorSlot({ doneThrough: 41, highSeq: 99 }, 7);
    expect(decodeCursorSlot(slot)).toEqual({ state: { doneThrough: 41, highSeq: 99 }, generation: 7 });
  });

  it('ignores a torn or zeroed slot, so the other slot (the previous state) wins', () => {
    const older = decodeCursorSlot(encodeCursorSlot({ doneThrough: 10, highSeq: 20 }, 4));
    const torn = Buffer.from(encodeCursorSlot({ doneThrough: 11, highSeq: 21 }, 5));
    torn.fill(0, 12);
    expect(decodeCursorSlot(torn)).toBeUndefined();
    expect(decodeCursorSlot(Buffer.alloc(32))).toBeUndefined();
    expect(newestSlot(older, decodeCursorSlot(torn))?.state).toEqual({ doneThrough: 10, highSeq: 20 });
  });

  it('picks the newer generation, across the 2^32 wrap', () => {
    const a = decodeCursorSlot(encodeCursorSlot({ doneThrough: 1, highSeq: 1 }, 0xffffffff));
    const b = decodeCursorSlot(encodeCursorSlot({ doneThrough: 2, highSeq: 2 }, 0));
    expect(newestSlot(a, b)?.state.doneThrough).toBe(2);
    expect(newestSlot(b, a)?.state.doneThrough).toBe(2);
  });
});
