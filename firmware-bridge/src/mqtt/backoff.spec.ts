import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with jitter in the upper half of each ceiling', () => {
    const options = { initialMs: 100, maxMs: 1600 };
    expect(backoffDelay(0, options, () => 0)).toBe(50);
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 0.5)).toBe(600);
    expect(backoffDelay(10, options, () => 1)).toBe(1600);
    expect(backoffDelay(10_000, options, () => 0)).toBe(800);
  });

  it('spreads a fleet: different random draws give different delays', () => {
    const delays = new Set([0.1, 0.3, 0.7, 0.9].map((r) => backoffDelay(4, {}, () => r)));
    expect(delays.size).toBe(4);
  });
});
