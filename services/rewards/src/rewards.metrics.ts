import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EpochResult } from './core/compute-epoch.js';
import { reasonCounts } from './core/compute-epoch.js';
import { REWARD_REASONS } from './core/reasons.js';

/** Prometheus metrics of the rewards service (names start with `gt_rewards_`). */
export class RewardsMetrics {
  readonly epochsClosed: Counter;
  readonly lastClosedEpoch: Gauge;
  /** base units of the last closed epoch, by disposition */
  readonly epochAmounts: Gauge<'disposition'>;
  /** devices of the last closed epoch per reason code */
  readonly epochDevices: Gauge<'reason'>;
  /** payout transactions by what happened to them */
  readonly payoutTxs: Counter<'outcome'>;
  readonly rpcErrors: Counter<'code' | 'method'>;
  readonly unpayableCredits: Counter;
  /** epochs closed without the scoring run having finished (after REWARDS_SCORES_MAX_WAIT_SECONDS) */
  readonly scoresMissing: Counter;
  readonly payoutSeconds: Histogram;
  /** ledger rows per state, read from the database at scrape time */
  readonly payouts: Gauge<'state'>;
  private payoutStates: (() => Promise<Record<string, number>>) | undefined;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.epochsClosed = new Counter({ name: 'gt_rewards_epochs_closed_total', help: 'Epochs closed', registers });
    this.lastClosedEpoch = new Gauge({
      name: 'gt_rewards_last_closed_epoch',
      help: 'Number of the last closed epoch',
      registers,
    });
    this.epochAmounts = new Gauge({
      name: 'gt_rewards_epoch_base_units',
      help: 'Token base units of the last closed epoch: emission, rewarded, held, released, credited, payout',
      labelNames: ['disposition'],
      registers,
    });
    this.epochDevices = new Gauge({
      name: 'gt_rewards_epoch_devices',
      help: 'Devices of the last closed epoch per reason code',
      labelNames: ['reason'],
      registers,
    });
    this.payoutTxs = new Counter({
      name: 'gt_rewards_payout_transactions_total',
      help: 'Payout transactions: signed, resigned_expired, resigned_failed, confirmed',
      labelNames: ['outcome'],
      registers,
    });
    this.rpcErrors = new Counter({
      name: 'gt_rewards_rpc_errors_total',
      help: 'Errors from the Solana gateway by code and method',
      labelNames: ['code', 'method'],
      registers,
    });
    this.unpayableCredits = new Counter({
      name: 'gt_rewards_unpayable_credits_total',
      help: 'Open reward credits an epoch close could not pay (malformed source or wallet); left open',
      registers,
    });
    this.scoresMissing = new Counter({
      name: 'gt_rewards_epochs_closed_without_scores_total',
      help: 'Epochs closed after waiting the maximum for the scoring run to finish (devices without a score: no_score)',
      registers,
    });
    this.payoutSeconds = new Histogram({
      name: 'gt_rewards_payout_seconds',
      help: 'Time to pay an epoch (one runner pass)',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    });
    const payoutStates = () => this.payoutStates;
    this.payouts = new Gauge({
      name: 'gt_rewards_payouts',
      help: 'Payout ledger rows (epoch, wallet) by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const read = payoutStates();
        if (read) {
          for (const [state, n] of Object.entries(await read())) {
            this.set({ state }, n);
          }
        }
      },
    });
  }

  /** Where `gt_rewards_payouts` reads its counts from (the ledger). */
  readPayoutStatesFrom(source: () => Promise<Record<string, number>>): void {
    this.payoutStates = source;
  }

  epochClosed(result: EpochResult): void {
    this.epochsClosed.inc();
    this.lastClosedEpoch.set(result.epoch);
    const t = result.totals;
    for (const [disposition, value] of Object.entries(t)) {
      this.epochAmounts.set({ disposition }, Number(value));
    }
    const counts = reasonCounts(result.outcomes);
    for (const reason of REWARD_REASONS) {
      this.epochDevices.set({ reason }, counts[reason] ?? 0);
    }
  }
}
