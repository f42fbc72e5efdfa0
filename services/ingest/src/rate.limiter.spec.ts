import { describe, expect, it } from 'vitest';
import { DeviceRateLimiter } from './rate.limiter.js';

describe('DeviceRateLimiter', () => {
  it('lets a device use its burst at once, then refuses until tokens refill at the sustained rate', () => {
    const limiter = new DeviceRateLimiter({ ratePerS: 10, burst: 100 });
    expect(limiter.take('a', 50, 0)).toBe(true);
    expect(limiter.take('a', 50, 0)).toBe(true);
    expect(limiter.take('a', 1, 0)).toBe(false);
    expect(limiter.take('a', 10, 999)).toBe(false); // 9.99 tokens after 999 ms
    expect(limiter.take('a', 10, 1000)).toBe(true);
  });

  it('refuses an envelope that does not fit whole and takes nothing for it', () => {
    const limiter = new DeviceRateLimiter({ ratePerS: 1, burst: 60 });
    expect(limiter.take('a', 50, 0)).toBe(true);
    expect(limiter.take('a', 50, 0)).toBe(false);
    expect(limiter.take('a', 10, 0)).toBe(true);
  });

  it('keeps one bucket per device', () => {
    const limiter = new DeviceRateLimiter({ ratePerS: 1, burst: 5 });
    expect(limiter.take('a', 5, 0)).toBe(true);
    expect(limiter.take('b', 5, 0)).toBe(true);
    expect(limiter.take('a', 1, 0)).toBe(false);
  });

  it('never holds more than the burst, however long a device was idle', () => {
    const limiter = new DeviceRateLimiter({ ratePerS: 100, burst: 10 });
    expect(limiter.take('a', 10, 0)).toBe(true);
    expect(limiter.take('a', 11, 3_600_000)).toBe(false);
  });

  it('forgets the least recently seen device beyond maxDevices (it starts again with a full burst)', () => {
    const limiter = new DeviceRateLimiter({ ratePerS: 1, burst: 1, maxDevices: 2 });
    limiter.take('a', 1, 0);
    limiter.take('b', 1, 0);
    limiter.take('c', 1, 0);
    expect(limiter.trackedDevices).toBe(2);
    expect(limiter.take('b', 1, 0)).toBe(false);
    expect(limiter.take('a', 1, 0)).toBe(true);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new DeviceRateLimiter({ ratePerS: 0, burst: 1 })).toThrow(RangeError);
  });
});
