/**
 * The network's epoch calendar, one implementation for every service that must agree on epoch windows (scoring
 * scores an epoch's window, rewards looks that very window up). Pure: no clock, no I/O; the caller passes times.
 *
 * Epoch n covers [genesis + n·duration, genesis + (n+1)·duration). It may be scored and closed once its end plus
 * the grace period (for late data) has passed. The defaults of the services give UTC days numbered from a genesis
 * at UTC midnight. Services wrap {@link findEpochWindow} and {@link isEpochCalendar} to throw their own typed errors.
 *
 * Imported as `@groundtruth/service-kit/epoch-calendar` so pure cores can use it without loading pg or prom-client.
 *
 * @example
 * const days = { genesisMs: Date.UTC(2025, 0, 1), durationMs: 86_400_000, graceMs: 3_600_000 };
 * findEpochWindow(days, 3)?.closableAt; // 2025-01-05T01:00Z in ms
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
  /** earliest time it may be scored or closed: end + grace */
  readonly closableAt: number;
}

/** Whether `calendar` is usable: safe-integer genesis, duration ≥ 1 s and grace ≥ 0 (ms). */
export function isEpochCalendar(calendar: EpochCalendar): boolean {
  return (
    Number.isSafeInteger(calendar.genesisMs) &&
    Number.isSafeInteger(calendar.durationMs) &&
    calendar.durationMs >= 1000 &&
    Number.isSafeInteger(calendar.graceMs) &&
    calendar.graceMs >= 0
  );
}

/** Whether `epoch` is an epoch number at all: a non-negative safe integer. */
export function isEpochNumber(epoch: number): boolean {
  return Number.isSafeInteger(epoch) && epoch >= 0;
}

/**
 * The window of epoch `epoch`, or undefined unless it is an epoch number whose window (grace included) lies within
 * safe-integer milliseconds.
 */
export function findEpochWindow(calendar: EpochCalendar, epoch: number): EpochWindow | undefined {
  if (!isEpochNumber(epoch)) {
    return undefined;
  }
  const startsAt = calendar.genesisMs + epoch * calendar.durationMs;
  const endsAt = startsAt + calendar.durationMs;
  const closableAt = endsAt + calendar.graceMs;
  return Number.isSafeInteger(closableAt) ? { epoch, startsAt, endsAt, closableAt } : undefined;
}

/** The epoch containing `timeMs` (-1 before genesis). */
export function epochAt(calendar: EpochCalendar, timeMs: number): number {
  return timeMs < calendar.genesisMs ? -1 : Math.floor((timeMs - calendar.genesisMs) / calendar.durationMs);
}

/** The latest epoch whose grace period has passed at `nowMs`, i.e. that may be scored or closed (-1 if none yet). */
export function lastClosableEpoch(calendar: EpochCalendar, nowMs: number): number {
  return Math.max(-1, epochAt(calendar, nowMs - calendar.graceMs) - 1);
}

/** The epoch number of a window [start, end) if it is one of the calendar's epochs, else undefined. */
export function epochOfWindow(calendar: EpochCalendar, start: number, end: number): number | undefined {
  const offset = start - calendar.genesisMs;
  if (end - start !== calendar.durationMs || offset < 0 || offset % calendar.durationMs !== 0) {
    return undefined;
  }
  return offset / calendar.durationMs;
}
