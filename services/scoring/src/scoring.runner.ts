import type { Logger } from '@groundtruth/service-kit';
import type { ScoringJob } from './job/scoring.job.js';
import { epochWindow, type EpochCalendar } from './schedule/epoch-calendar.js';
import { nextWakeAt, planEpochs } from './schedule/pass-plan.js';
import type { ScheduleRepository } from './schedule/schedule.repository.js';
import type { ServiceMetrics } from './service.metrics.js';

export interface ScoringRunnerDeps {
  readonly job: Pick<ScoringJob, 'scoreClosedHours' | 'scoreEpoch'>;
  readonly schedule: ScheduleRepository;
  readonly calendar: EpochCalendar;
  /** fresh database: the first epoch to score (default: see {@link planEpochs}) */
  readonly firstEpoch?: number;
  readonly backfillEpochs: number;
  readonly maxEpochsPerPass: number;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now: () => number;
}

export interface ScoredEpoch {
  readonly epoch: number;
  readonly runId: number;
  readonly devices: number;
  readonly digest: string;
  /** ms from the end of the grace period to the scores being committed */
  readonly delayMs: number;
}

export interface PassReport {
  readonly hours: { readonly from: number; readonly to: number; readonly devices: number; readonly readings: number };
  readonly scored: readonly ScoredEpoch[];
  /** closable epochs left for the next pass (it starts at once) */
  readonly more: boolean;
}

/** What `/health` shows about the loop. */
export interface RunnerState {
  readonly running: boolean;
  readonly lastScoredEpoch: number | null;
  readonly lastPassAt: string | null;
  readonly lastPassMs: number | null;
  readonly lastError: string | null;
  readonly nextPassAt: string | null;
}

/**
 * The scoring loop. A pass rolls up the hours closed since the last one, then scores every epoch whose grace
 * period has passed and that no scheduled run has scored yet, oldest first, stopping at the first failure (the
 * next pass retries it). One pass at a time: in this process (a timer chain) and across processes (PostgreSQL
 * advisory lock). The next pass is timed for just after the next epoch becomes closable, so short demo epochs
 * are scored moments after their grace period; the rewards service then finds them ready.
 */
export class ScoringRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;
  private state: {
    lastScoredEpoch: number | null;
    lastPassAt: number | null;
    lastPassMs: number | null;
    lastError: string | null;
    nextPassAt: number | null;
  } = { lastScoredEpoch: null, lastPassAt: null, lastPassMs: null, lastError: null, nextPassAt: null };

  constructor(private readonly deps: ScoringRunnerDeps) {}

  /** One pass now; `busy` when another runner holds the lock. Throws what the pass threw. */
  async runOnce(): Promise<PassReport | 'busy'> {
    const started = performance.now();
    try {
      const outcome = await this.deps.schedule.withRunnerLock(() => this.pass());
      this.deps.metrics?.passes.inc({ outcome: outcome ? 'done' : 'busy' });
      this.state.lastError = null;
      return outcome ? outcome.value : 'busy';
    } catch (error) {
      this.deps.metrics?.passes.inc({ outcome: 'failed' });
      this.state.lastError = (error as Error).message;
      throw error;
    } finally {
      this.state.lastPassAt = this.deps.now();
      this.state.lastPassMs = Math.round(performance.now() - started);
    }
  }

  private async pass(): Promise<PassReport> {
    const { job, schedule, calendar, logger, metrics, now } = this.deps;
    const hours = await job.scoreClosedHours(now());
    const scored: ScoredEpoch[] = [];
    if (this.stopping) {
      return { hours, scored, more: true };
    }
    const last = await schedule.lastScheduledEpoch(calendar);
    this.state.lastScoredEpoch = last;
    const fresh = last === null && this.deps.firstEpoch === undefined;
    const since = fresh ? await schedule.databaseSince() : undefined;
    const plan = planEpochs({
      calendar,
      now: now(),
      lastScheduled: last,
      backfillEpochs: this.deps.backfillEpochs,
      maxEpochs: this.deps.maxEpochsPerPass,
      ...(this.deps.firstEpoch === undefined ? {} : { firstEpoch: this.deps.firstEpoch }),
      ...(since === undefined ? {} : { since }),
    });
    for (const epoch of plan.epochs) {
      if (this.stopping) {
        return { hours, scored, more: true };
      }
      const window = epochWindow(calendar, epoch);
      const run = await job.scoreEpoch(window.startsAt, window.endsAt, {
        kind: 'scheduled',
        requestedBy: 'scheduler',
        reason: `epoch ${epoch}`,
      });
      const delayMs = Math.max(0, now() - window.closableAt);
      scored.push({ epoch, runId: run.runId, devices: run.scores.length, digest: run.digest, delayMs });
      this.state.lastScoredEpoch = epoch;
      metrics?.lastScoredEpoch.set(epoch);
      metrics?.scoreDelay.observe(delayMs / 1000);
      logger.info('scoring_epoch_scheduled_done', {
        epoch,
        run_id: run.runId,
        devices: run.scores.length,
        version: run.version,
        delay_ms: delayMs,
      });
    }
    const newestScored = scored.at(-1)?.epoch ?? last ?? -1;
    metrics?.epochsPending.set(Math.max(0, plan.newest - newestScored));
    return { hours, scored, more: plan.more };
  }

  /**
   * Runs a pass now, then again after `intervalMs` or just after the next epoch becomes closable, whichever is
   * sooner (at once while closable epochs are left over). Errors are logged; the loop goes on.
   */
  start(intervalMs: number): void {
    this.stopping = false;
    const tick = (): void => {
      let more = false;
      this.running = this.runOnce()
        .then((report) => {
          more = report !== 'busy' && report.more;
        })
        .catch((error: unknown) => this.deps.logger.error('scoring_run_failed', { error }))
        .finally(() => {
          if (this.timer !== undefined && !this.stopping) {
            const now = this.deps.now();
            const at = more ? now : nextWakeAt(this.deps.calendar, now, intervalMs);
            this.state.nextPassAt = at;
            this.timer = setTimeout(tick, Math.max(0, at - now));
          }
        });
    };
    this.state.nextPassAt = this.deps.now();
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a pass in progress (which stops between epochs). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state.nextPassAt = null;
    await this.running;
  }

  status(): RunnerState {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      running: this.timer !== undefined,
      lastScoredEpoch: this.state.lastScoredEpoch,
      lastPassAt: iso(this.state.lastPassAt),
      lastPassMs: this.state.lastPassMs,
      lastError: this.state.lastError,
      nextPassAt: iso(this.state.nextPassAt),
    };
  }
}
