import { describe, expect, it } from 'vitest';
import { assertCalendar, epochAt, epochWindow, lastClosableEpoch } from './epoch-calendar.js';

// The calendar's arithmetic is the kit's (services/kit/src/epoch-calendar.spec.ts); here: the rewards errors.
const calendar = { genesisMs: Date.UTC(2025, 0, 1), durationMs: 86_400_000, graceMs: 2 * 3_600_000 };

describe('epoch calendar (rewards)', () => {
  it('closes UTC days after the grace period', () => {
    const w = epochWindow(calendar, 3);
    expect(new Date(w.closableAt).toISOString()).toBe('2025-01-05T02:00:00.000Z');
    expect(epochAt(calendar, w.endsAt - 1)).toBe(3);
    expect(lastClosableEpoch(calendar, w.closableAt)).toBe(3);
  });

  it('refuses epochs that are not non-negative integers within the calendar with BAD_REQUEST', () => {
    expect(() => epochWindow(calendar, -1)).toThrow(/BAD_REQUEST/);
    expect(() => epochWindow(calendar, 2.5)).toThrow(/BAD_REQUEST/);
    expect(() => epochWindow(calendar, 999_999_999_999_999)).toThrow(/BAD_REQUEST/);
  });

  it('refuses an unusable calendar with BAD_PARAMS', () => {
    expect(() => assertCalendar({ ...calendar, graceMs: -1 })).toThrow(/BAD_PARAMS/);
    expect(assertCalendar(calendar)).toBe(calendar);
  });
});
