import { describe, expect, it } from 'vitest';
import {
  epochAt,
  epochOfWindow,
  findEpochWindow,
  isEpochCalendar,
  isEpochNumber,
  lastClosableEpoch,
} from './epoch-calendar.js';

const GENESIS = Date.UTC(2025, 0, 1);
const DAYS = { genesisMs: GENESIS, durationMs: 86_400_000, graceMs: 3_600_000 };
const DEMO = { genesisMs: GENESIS, durationMs: 60_000, graceMs: 15_000 };

describe('epoch calendar', () => {
  it('numbers UTC days from genesis, closable one grace period after the end', () => {
    expect(findEpochWindow(DAYS, 0)).toEqual({
      epoch: 0,
      startsAt: GENESIS,
      endsAt: GENESIS + 86_400_000,
      closableAt: GENESIS + 86_400_000 + 3_600_000,
    });
    const w = findEpochWindow({ ...DAYS, graceMs: 2 * 3_600_000 }, 3)!;
    expect(new Date(w.startsAt).toISOString()).toBe('2025-01-04T00:00:00.000Z');
    expect(new Date(w.closableAt).toISOString()).toBe('2025-01-05T02:00:00.000Z');
    expect(epochAt(DAYS, w.startsAt)).toBe(3);
    expect(epochAt(DAYS, w.endsAt - 1)).toBe(3);
    expect(epochAt(DAYS, Date.UTC(2025, 0, 31, 23, 59))).toBe(30);
    expect(epochAt(DAYS, GENESIS - 1)).toBe(-1);
  });

  it('supports any duration', () => {
    const hourly = { ...DAYS, durationMs: 3_600_000, graceMs: 0 };
    expect(epochAt(hourly, GENESIS + 25 * 3_600_000 + 5)).toBe(25);
    expect(findEpochWindow(hourly, 25)?.startsAt).toBe(GENESIS + 25 * 3_600_000);
  });

  it('makes an epoch closable exactly at end + grace, not a millisecond before', () => {
    const w = findEpochWindow(DEMO, 1000)!;
    expect(lastClosableEpoch(DEMO, w.closableAt - 1)).toBe(999);
    expect(lastClosableEpoch(DEMO, w.closableAt)).toBe(1000);
    expect(lastClosableEpoch(DEMO, GENESIS)).toBe(-1);
  });

  it('recognises windows that are epochs of the calendar and no others', () => {
    const w = findEpochWindow(DEMO, 42)!;
    expect(epochOfWindow(DEMO, w.startsAt, w.endsAt)).toBe(42);
    expect(epochOfWindow(DEMO, w.startsAt + 1, w.endsAt + 1)).toBeUndefined();
    expect(epochOfWindow(DEMO, w.startsAt, w.endsAt + 60_000)).toBeUndefined();
    expect(epochOfWindow(DEMO, GENESIS - 60_000, GENESIS)).toBeUndefined();
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('has no window for epoch %s', (epoch) => {
    expect(isEpochNumber(epoch)).toBe(false);
    expect(findEpochWindow(DAYS, epoch)).toBeUndefined();
  });

  it('has no window for an epoch number whose window lies beyond safe-integer milliseconds', () => {
    const last = Math.floor((Number.MAX_SAFE_INTEGER - GENESIS - DAYS.graceMs) / DAYS.durationMs) - 1;
    expect(findEpochWindow(DAYS, last)?.epoch).toBe(last);
    expect(isEpochNumber(last + 10)).toBe(true);
    expect(findEpochWindow(DAYS, last + 10)).toBeUndefined();
  });

  it('accepts calendars with safe-integer genesis, duration of at least 1 s and non-negative grace', () => {
    expect(isEpochCalendar(DAYS)).toBe(true);
    expect(isEpochCalendar({ ...DAYS, graceMs: 0 })).toBe(true);
    expect(isEpochCalendar({ ...DAYS, durationMs: 999 })).toBe(false);
    expect(isEpochCalendar({ ...DAYS, graceMs: -1 })).toBe(false);
    expect(isEpochCalendar({ ...DAYS, genesisMs: 0.5 })).toBe(false);
    expect(isEpochCalendar({ ...DAYS, durationMs: Number.NaN })).toBe(false);
  });
});
