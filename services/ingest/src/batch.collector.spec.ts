import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchCollector } from './batch.collector.js';

const limits = { maxMessages: 3, maxBytes: 1000, maxAgeMs: 50, maxInFlight: 1 };

function harness(overrides: Partial<typeof limits> = {}) {
  const dispatched: number[][] = [];
  const finish: (() => void)[] = [];
  const events: string[] = [];
  const collector = new BatchCollector<number>(
    { ...limits, ...overrides },
    (items) => {
      dispatched.push(items);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
    { onPause: () => events.push('pause'), onResume: () => events.push('resume') },
  );
  let resumed = 0;
  const add = (item: number, bytes = 1) => collector.add(item, bytes, () => resumed++);
  return { collector, dispatched, finish, events, add, resumedCount: () => resumed };
}

describe('BatchCollector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('seals a batch at maxMessages and lets the producer go on', () => {
    const h = harness();
    [1, 2, 3].forEach((i) => h.add(i));
    expect(h.dispatched).toEqual([[1, 2, 3]]);
    expect(h.resumedCount()).toBe(3);
  });

  it('seals a batch at maxBytes', () => {
    const h = harness();
    h.add(1, 600);
    h.add(2, 600);
    expect(h.dispatched).toEqual([[1, 2]]);
  });

  it('seals a partial batch when its first item is maxAgeMs old', () => {
    const h = harness();
    h.add(1);
    vi.advanceTimersByTime(49);
    expect(h.dispatched).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.dispatched).toEqual([[1]]);
  });

  it('pauses the producer while a sealed batch waits for a slot, and resumes it once the slot frees', async () => {
    const h = harness();
    [1, 2, 3].forEach((i) => h.add(i)); // batch 1 in flight
    [4, 5, 6].forEach((i) => h.add(i)); // batch 2 sealed, waits: the producer is held at item 6
    expect(h.dispatched).toHaveLength(1);
    expect(h.resumedCount()).toBe(5);
    expect(h.collector.stats).toMatchObject({ waiting: 1, inFlight: 1, paused: true });
    expect(h.events).toEqual(['pause']);

    h.finish[0]!();
    await vi.waitFor(() => expect(h.dispatched).toHaveLength(2));
    expect(h.resumedCount()).toBe(6);
    expect(h.events).toEqual(['pause', 'resume']);
    expect(h.collector.stats).toMatchObject({ waiting: 0, inFlight: 1, paused: false });
  });

  it('runs up to maxInFlight batches at once', () => {
    const h = harness({ maxInFlight: 2 });
    [1, 2, 3, 4, 5, 6, 7, 8, 9].forEach((i) => h.add(i));
    expect(h.dispatched).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(h.collector.stats).toMatchObject({ waiting: 1, inFlight: 2, paused: true });
  });

  it('whenIdle resolves after the last batch finished', async () => {
    const h = harness();
    h.add(1);
    h.collector.seal();
    let idle = false;
    void h.collector.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    h.finish[0]!();
    await vi.waitFor(() => expect(idle).toBe(true));
  });

  it('keeps going when a dispatch rejects (and reports it)', async () => {
    const errors: unknown[] = [];
    const collector = new BatchCollector<number>({ ...limits, maxMessages: 1 }, () => Promise.reject(new Error('x')), {
      onDispatchError: (e) => errors.push(e),
    });
    collector.add(1, 1, () => undefined);
    collector.add(2, 1, () => undefined);
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(collector.stats.inFlight).toBe(0);
  });
});
