import type { Logger } from '@groundtruth/service-kit';
import type pg from 'pg';
import { lastClosableEpoch, type EpochCalendar } from './core/epoch-calendar.js';
import type { Database } from './db/database.js';
import type { EpochsRepository } from './db/epochs.repository.js';
import { withRunnerLock } from './db/runner-lock.js';
import type { EpochCloser } from './epochs/epoch-closer.service.js';
import type { PayoutService, PayResult } from './chain/payout.service.js';

export interface RunnerDeps {
  readonly db: Database;
  readonly epochs: EpochsRepository;
  readonly closer: EpochCloser;
  readonly payouts: PayoutService;
  readonly calendar: EpochCalendar;
  /** first epoch to close when none is closed yet; default the last closable one at first start */
  readonly firstEpoch?: number;
  /** time one pass may spend paying before it yields (the next pass continues) */
  readonly payBudgetMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface RunReport {
  readonly closed: readonly number[];
  readonly paid: readonly PayResult[];
}

/**
 * The rewards loop: close every epoch whose grace period has passed, in order, then pay unpaid epochs, oldest
 * first. One pass at a time across all processes (PostgreSQL advisory lock): a second runner finds the lock
 * taken and does nothing.
 */
export class RewardsRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: RunnerDeps) {}

  /** One pass; `busy` when another runner holds the lock. */
  async runOnce(): Promise<RunReport | 'busy'> {
    const outcome = await withRunnerLock(this.deps.db.pool as pg.Pool, () => this.pass());
    return outcome ? outcome.value : 'busy';
  }

  private async pass(): Promise<RunReport> {
    const { epochs, db, closer, calendar, now } = this.deps;
    const closed: number[] = [];
    const last = await epochs.lastClosed(db);
    const newest = lastClosableEpoch(calendar, now());
    const first = last === null ? (this.deps.firstEpoch ?? newest) : last + 1;
    for (let epoch = Math.max(0, first); epoch <= newest; epoch++) {
      const outcome = await closer.close(epoch);
      if (outcome.status === 'not_ready') {
        this.deps.logger.info('rewards_epoch_waiting', { epoch, reason: outcome.reason });
        break;
      }
      if (outcome.status === 'closed') {
        closed.push(epoch);
      }
    }
    const paid: PayResult[] = [];
    const deadline = now() + this.deps.payBudgetMs;
    for (const epoch of await epochs.unpaid(db)) {
      const result = await this.deps.payouts.payEpoch(epoch, Math.max(0, deadline - now()));
      paid.push(result);
      if (result.status !== 'paid') {
        break;
      }
    }
    return { closed, paid };
  }

  /** Runs a pass now and then every `intervalMs`; errors are logged and the loop goes on. */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.deps.logger.error('rewards_run_failed', { error }))
        .finally(() => {
          if (this.timer !== undefined) {
            this.timer = setTimeout(tick, intervalMs);
          }
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
