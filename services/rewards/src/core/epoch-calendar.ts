import { RewardsError } from './errors.js';

/**
 * Epoch numbering: epoch n covers [genesis + n·duration, genesis + (n+1)·duration). Defaults give UTC days
 * numbered from a genesis at UTC midnight. An epoch may close once its end plus the grace period (for late
 * data) has passed.
 */
export interface EpochCalendar {
  /** ms since the Unix epoch */
  readonly genesisMs: number;
  readonly durationMs: number;
  readonly graceMs: number;
}

export interface EpochWindow {
  readonly epoch: number;
  readonly startsAt: number;
  readonly endsAt: number;
  /** earliest time it may close */
  readonly closableAt: number;
}

export function assertCalendar(calendar: EpochCalendar): EpochCalendar {
  const ok =
    Number.isSafeInteger(calendar.genesisMs) &&
    Number.isSafeInteger(calendar.durationMs) &&
    calendar.durationMs >= 1000 &&
    Number.isSafeInteger(calendar.graceMs) &&
    calendar.graceMs >= 0;
  if (!ok) {
    throw new RewardsError('BAD_PARAMS', 'epoch calendar needs integer genesis, duration ≥ 1 s and grace ≥ 0');
  }
  return calendar;
}

export function epochWindow(calendar: EpochCalendar, epoch: number): EpochWindow {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RewardsError('BAD_REQUEST', `epoch must be a non-negative integer, got ${epoch}`);
  }
  const startsAt = calendar.genesisMs + epoch * calendar.durationMs;
  const endsAt = startsAt + calendar.durationMs;
  return { epoch, startsAt, endsAt, closableAt: endsAt + calendar.graceMs };
}

/** The epoch containing `timeMs` (-1 before genesis). */
export function epochAt(calendar: EpochCalendar, timeMs: number): number {
  return timeMs < calendar.genesisMs ? -1 : Math.floor((timeMs - calendar.genesisMs) / calendar.durationMs);
}

/** The latest epoch that may be closed at `nowMs` (-1 if none yet). */
export function lastClosableEpoch(calendar: EpochCalendar, nowMs: number): number {
  return Math.max(-1, epochAt(calendar, nowMs - calendar.graceMs) - 1);
}
