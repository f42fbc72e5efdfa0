import {
  findEpochWindow,
  isEpochCalendar,
  type EpochCalendar,
  type EpochWindow,
} from '@groundtruth/service-kit/epoch-calendar';
import { RewardsError } from './errors.js';

// The calendar itself is the kit's, shared with the scoring service so both agree on every epoch's window.
export {
  epochAt,
  lastClosableEpoch,
  type EpochCalendar,
  type EpochWindow,
} from '@groundtruth/service-kit/epoch-calendar';

/** The calendar, or BAD_PARAMS unless it has an integer genesis, a duration ≥ 1 s and a grace ≥ 0. */
export function assertCalendar(calendar: EpochCalendar): EpochCalendar {
  if (!isEpochCalendar(calendar)) {
    throw new RewardsError('BAD_PARAMS', 'epoch calendar needs integer genesis, duration ≥ 1 s and grace ≥ 0');
  }
  return calendar;
}

/** The window of epoch `epoch`; BAD_REQUEST unless it is a non-negative integer within the calendar. */
export function epochWindow(calendar: EpochCalendar, epoch: number): EpochWindow {
  const window = findEpochWindow(calendar, epoch);
  if (window === undefined) {
    throw new RewardsError('BAD_REQUEST', `epoch must be a non-negative integer, got ${epoch}`);
  }
  return window;
}
