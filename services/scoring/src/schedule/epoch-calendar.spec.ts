import { describe, expect, it } from 'vitest';
import { ScoringError } from '../errors.js';
import { assertCalendar, epochWindow, parseEpoch } from './epoch-calendar.js';

// The calendar's arithmetic is the kit's (services/kit/src/epoch-calendar.spec.ts); here: the scoring errors.
const GENESIS = Date.UTC(2025, 0, 1);
const DAYS = { genesisMs: GENESIS, durationMs: 86_400_000, graceMs: 3_600_000 };

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScoringError);
    return (error as ScoringError).code;
  }
  return undefined;
};

describe('epoch calendar (scoring)', () => {
  it.each(['-1', '1.5', 'abc', '', '1e3', '9999999999999999'])('refuses epoch %j with BAD_EPOCH', (text) => {
    expect(codeOf(() => parseEpoch(DAYS, text))).toBe('BAD_EPOCH');
  });

  it('parses a plain epoch number', () => {
    expect(parseEpoch(DAYS, '7').startsAt).toBe(GENESIS + 7 * 86_400_000);
  });

  it('refuses negative, fractional and out-of-calendar epoch numbers with BAD_EPOCH', () => {
    expect(codeOf(() => epochWindow(DAYS, -1))).toBe('BAD_EPOCH');
    expect(codeOf(() => epochWindow(DAYS, 0.5))).toBe('BAD_EPOCH');
    expect(codeOf(() => epochWindow(DAYS, 999_999_999_999_999))).toBe('BAD_EPOCH');
    expect(epochWindow(DAYS, 0).closableAt).toBe(GENESIS + 86_400_000 + 3_600_000);
  });

  it('refuses an unusable calendar with BAD_REQUEST', () => {
    expect(codeOf(() => assertCalendar({ ...DAYS, durationMs: 500 }))).toBe('BAD_REQUEST');
    expect(assertCalendar(DAYS)).toBe(DAYS);
  });
});
