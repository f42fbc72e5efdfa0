import { epochAt, epochWindow, lastClosableEpoch, type EpochCalendar } from './epoch-calendar.js';

export interface EpochPlanInput {
  readonly calendar: EpochCalendar;
  readonly now: number;
  /** the newest epoch a scheduled run has scored (null on a fresh database) */
  readonly lastScheduled: number | null;
  /** fresh database: start here (SCORING_FIRST_EPOCH) */
  readonly firstEpoch?: number;
  /** fresh database without `firstEpoch`: score at most this many of the newest closable epochs */
  readonly backfillEpochs: number;
  /**
   * fresh database: when the database was set up. Epochs that were already closable then cannot hold data, but
   * the rewards service, started a moment later, may begin with the last of them, so it is scored too.
   */
  readonly since?: number;
  /** most epochs one pass scores (the next pass, started at once, goes on) */
  readonly maxEpochs: number;
}

export interface EpochPlan {
  /** epochs to score now, oldest first */
  readonly epochs: readonly number[];
  /** the newest closable epoch */
  readonly newest: number;
  /** closable epochs were left for the next pass */
  readonly more: boolean;
}

/**
 * Which epochs a pass scores: every closable epoch after the last scheduled one, in order. On a fresh database
 * the first is `firstEpoch`, else the last `backfillEpochs` closable ones, but none closable before the database
 * existed except the last of those (the same epoch a rewards runner starting then would begin with).
 */
export function planEpochs(input: EpochPlanInput): EpochPlan {
  const { calendar, now } = input;
  const newest = lastClosableEpoch(calendar, now);
  let first: number;
  if (input.lastScheduled !== null) {
    first = input.lastScheduled + 1;
  } else if (input.firstEpoch !== undefined) {
    first = input.firstEpoch;
  } else {
    first = newest - input.backfillEpochs + 1;
    if (input.since !== undefined) {
      first = Math.max(first, lastClosableEpoch(calendar, Math.min(input.since, now)));
    }
  }
  first = Math.max(0, first);
  const last = Math.min(newest, first + input.maxEpochs - 1);
  const epochs: number[] = [];
  for (let epoch = first; epoch <= last; epoch++) {
    epochs.push(epoch);
  }
  return { epochs, newest, more: newest > last };
}

/**
 * When the runner should wake next: at the regular interval, or just after the next epoch becomes closable if
 * that comes sooner (so a short demo epoch is scored moments after its grace period, not up to an interval
 * later).
 */
export function nextWakeAt(calendar: EpochCalendar, now: number, intervalMs: number, marginMs = 200): number {
  const pending = Math.max(0, epochAt(calendar, now - calendar.graceMs));
  const closable = epochWindow(calendar, pending).closableAt;
  const due = closable > now ? closable + marginMs : now + intervalMs;
  return Math.min(now + intervalMs, due);
}
