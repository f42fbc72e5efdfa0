import {
  findEpochWindow,
  isEpochCalendar,
  isEpochNumber,
  type EpochCalendar,
  type EpochWindow,
} from '@groundtruth/service-kit/epoch-calendar';
import { ScoringError } from '../errors.js';

// The calendar itself is the kit's, shared with the rewards service: both read the same genesis, duration and
// grace from their configuration (SCORING_* / REWARDS_*), so a score's window is exactly the window rewards looks up.
export {
  epochAt,
  epochOfWindow,
  lastClosableEpoch,
  type EpochCalendar,
  type EpochWindow,
} from '@groundtruth/service-kit/epoch-calendar';

/** The calendar, or BAD_REQUEST unless it has an integer genesis, a duration ≥ 1 s and a grace ≥ 0. */
export function assertCalendar(calendar: EpochCalendar): EpochCalendar {
  if (!isEpochCalendar(calendar)) {
    throw new ScoringError('BAD_REQUEST', 'an epoch calendar needs an integer genesis, duration ≥ 1 s and grace ≥ 0', {
      ...calendar,
    });
  }
  return calendar;
}

/** The window of epoch `epoch`; BAD_EPOCH unless it is a non-negative safe integer within the calendar. */
export function epochWindow(calendar: EpochCalendar, epoch: number): EpochWindow {
  if (!isEpochNumber(epoch)) {
    throw new ScoringError('BAD_EPOCH', `an epoch is a non-negative integer, got ${epoch}`, { epoch });
  }
  const window = findEpochWindow(calendar, epoch);
  if (window === undefined) {
    throw new ScoringError('BAD_EPOCH', `epoch ${epoch} lies beyond the calendar`, { epoch });
  }
  return window;
}

/**
 * Parses an epoch number from a request (path or query text): digits only, a safe integer. BAD_EPOCH
 * otherwise, naming what was sent.
 */
export function parseEpoch(calendar: EpochCalendar, text: string | undefined): EpochWindow {
  if (text === undefined || !/^\d{1,15}$/.test(text)) {
    throw new ScoringError('BAD_EPOCH', `an epoch is a non-negative integer, got ${JSON.stringify(text ?? null)}`, {
      epoch: text ?? null,
    });
  }
  return epochWindow(calendar, Number(text));
}
