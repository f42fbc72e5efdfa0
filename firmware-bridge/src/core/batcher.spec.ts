import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('seals by size as soon as the group is full', () => {
    const sealed: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 3, maxAgeMs: 1000 }, (items) => sealed.push(items));
    for (let i = 1; i <= 7; i++) {
      batcher.add(i);
    }
    expect(sealed).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(batcher.size).toBe(1);
  });

  it('seals by age, measured from the first item of the group', () => {
    const sealed: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 100, maxAgeMs: 1000 }, (items) => sealed.push(items));
    batcher.add(1);
    vi.advanceTimersByTime(600);
    batcher.add(2);
    vi.advanceTimersByTime(399);
    expect(sealed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sealed).toEqual([[1, 2]]);
    batcher.add(3);
    vi.advanceTimersByTime(999);
    expect(sealed).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sealed).toEqual([[1, 2], [3]]);
  });

  it('does not fire an age seal after a size seal emptied the group', () => {
    const sealed: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 2, maxAgeMs: 100 }, (items) => sealed.push(items));
    batcher.add(1);
    batcher.add(2);
    vi.advanceTimersByTime(500);
    expect(sealed).toEqual([[1, 2]]);
  });

  it('flush seals what waits; an empty flush seals nothing', () => {
    const sealed: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 10, maxAgeMs: 100 }, (items) => sealed.push(items));
    batcher.flush();
    batcher.add(5);
    batcher.flush();
    vi.advanceTimersByTime(1000);
    expect(sealed).toEqual([[5]]);
  });

  it('refuses nonsensical limits', () => {
    expect(() => new Batcher({ maxItems: 0, maxAgeMs: 1 }, () => undefined)).toThrow(RangeError);
    expect(() => new Batcher({ maxItems: 1, maxAgeMs: -1 }, () => undefined)).toThrow(RangeError);
  });
});
