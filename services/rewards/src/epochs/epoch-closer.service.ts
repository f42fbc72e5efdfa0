import type { Logger } from '@groundtruth/service-kit';
import { computeEpoch, isPayableCredit, type EpochResult } from '../core/compute-epoch.js';
import { epochWindow, type EpochCalendar } from '../core/epoch-calendar.js';
import { RewardsError } from '../core/errors.js';
import type { RewardParams } from '../core/params.js';
import { planPayoutParts } from '../core/payout-plan.js';
import type { Database } from '../db/database.js';
import type { EpochsRepository } from '../db/epochs.repository.js';
import type { InputsRepository } from '../db/inputs.repository.js';
import type { PayoutsRepository } from '../db/payouts.repository.js';
import type { EpochScoreSource } from '../db/score-source.js';
import type { RewardsMetrics } from '../rewards.metrics.js';

export interface EpochCloserDeps {
  readonly db: Database;
  readonly epochs: EpochsRepository;
  readonly inputs: InputsRepository;
  readonly payouts: PayoutsRepository;
  readonly scores: EpochScoreSource;
  readonly calendar: EpochCalendar;
  readonly params: RewardParams;
  readonly walletsPerTransaction: number;
  /** close anyway once scoring has not finished the epoch this long after it became closable; unset = wait */
  readonly scoresMaxWaitMs?: number;
  readonly metrics: RewardsMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

export type CloseOutcome =
  | { readonly status: 'closed'; readonly result: EpochResult }
  | { readonly status: 'already_closed' }
  | { readonly status: 'not_ready'; readonly reason: 'grace_period' | 'scores_pending' };

/**
 * Closes an epoch: reads the registry, the epoch's scores, open credits and open holds; computes the manifest;
 * and stores, in ONE transaction, the epoch with its root and inputs snapshot, the leaves, new and released
 * holds, claimed credits and the payout ledger. Run under the runner lock, so no two closes race.
 */
export class EpochCloser {
  constructor(private readonly deps: EpochCloserDeps) {}

  async close(epoch: number): Promise<CloseOutcome> {
    const { db, calendar, params } = this.deps;
    const window = epochWindow(calendar, epoch);
    if (this.deps.now() < window.closableAt) {
      return { status: 'not_ready', reason: 'grace_period' };
    }
    if (await this.deps.epochs.get(db, epoch)) {
      return { status: 'already_closed' };
    }
    if (this.deps.scores.ready && !(await this.deps.scores.ready(window))) {
      const waited = this.deps.now() - window.closableAt;
      if (this.deps.scoresMaxWaitMs === undefined || waited < this.deps.scoresMaxWaitMs) {
        return { status: 'not_ready', reason: 'scores_pending' };
      }
      // Waited long enough: close with the scores there are (devices without one get `no_score`), rather than
      // hold every later epoch back.
      this.deps.metrics.scoresMissing.inc();
      this.deps.logger.warn('rewards_scores_missing', { epoch, waited_ms: waited });
    }
    const scores = await this.deps.scores.scoresFor(window);
    const started = performance.now();
    const outcome = await db.transaction(async (tx) => {
      // Re-checked inside the transaction: the primary key would refuse a second close anyway.
      if (await this.deps.epochs.get(tx, epoch)) {
        return undefined;
      }
      const imported = await this.deps.inputs.importRevenueShares(tx);
      const devices = await this.deps.inputs.devices(tx);
      const open = await this.deps.inputs.openCredits(tx, epoch);
      const credits = open.filter(isPayableCredit);
      const unpayable = open.length - credits.length;
      const openHolds = await this.deps.inputs.openHolds(tx, epoch);
      const result = computeEpoch({ epoch, params, devices, scores, credits, openHolds });
      const parts = planPayoutParts(result.payouts, this.deps.walletsPerTransaction);
      await this.deps.epochs.insert(tx, window, params, result, { devices, scores }, parts.length);
      await this.deps.inputs.claimCredits(
        tx,
        epoch,
        credits.map((c) => c.id),
      );
      await this.deps.inputs.insertHolds(tx, result.newHolds);
      await this.deps.inputs.releaseHolds(tx, epoch, result.releasedHolds);
      await this.deps.payouts.insertPlan(tx, epoch, parts);
      return { result, imported, unpayable, parts: parts.length };
    });
    if (!outcome) {
      return { status: 'already_closed' };
    }
    const { result } = outcome;
    this.deps.metrics.epochClosed(result);
    if (outcome.unpayable > 0) {
      this.deps.metrics.unpayableCredits.inc(outcome.unpayable);
      this.deps.logger.warn('rewards_credits_unpayable', { epoch, count: outcome.unpayable });
    }
    this.deps.logger.info('rewards_epoch_closed', {
      epoch,
      root: result.manifest.root,
      leaves: result.manifest.texts.length,
      emission: result.totals.emission,
      payout: result.totals.payout,
      held: result.totals.held,
      released: result.totals.released,
      credited: result.totals.credited,
      wallets: result.payouts.length,
      parts: outcome.parts,
      imported_credits: outcome.imported,
      ms: Math.round(performance.now() - started),
    });
    return { status: 'closed', result };
  }

  /** Throws `EPOCH_NOT_CLOSABLE` unless {@link close} closed (or had closed) the epoch. */
  async closeOrThrow(epoch: number): Promise<void> {
    const outcome = await this.close(epoch);
    if (outcome.status === 'not_ready') {
      throw new RewardsError('EPOCH_NOT_CLOSABLE', `epoch ${epoch} cannot close yet (${outcome.reason})`, { epoch });
    }
  }
}
