/**
 * Rewards: what each closed epoch emitted and to whom, the state of the exactly-once payout ledger and of the
 * payout transactions on chain (from the database), and the rewards service's own metrics. Amounts are reward-token base units (u64, numeric(20,0) in the tables).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, type SqlCatalogue } from '../common.js';
import { bargauge, stat, table, timeseries } from '../panels.js';
import { rewardsServiceRow } from './rewards-service.js';

export const REWARDS_UID = 'gt-rewards';

const IN_RANGE = '$__timeFilter(e.ends_at)';

function emissionRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Epochs'))
    .withPanel(
      stat({
        title: 'Last closed epoch',
        description: 'The newest closed epoch, its emission and the wallets it pays.',
        span: 8,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT epoch, emission::double precision AS emission, wallets, leaf_count AS devices
FROM reward_epochs ORDER BY epoch DESC LIMIT 1`,
            columns: { epoch: 'number', emission: 'number', wallets: 'number', devices: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Emission per epoch',
        description:
          'Per epoch end: emission rewarded to devices, held for later, released from holds, credited (sales).',
        span: 16,
        bars: true,
        stacked: true,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT e.ends_at AS time, e.rewarded::double precision AS rewarded, e.held::double precision AS held,
  e.released::double precision AS released, e.credited::double precision AS credited
FROM reward_epochs e WHERE ${IN_RANGE} ORDER BY 1`,
            columns: { time: 'time', rewarded: 'number', held: 'number', released: 'number', credited: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Epochs',
        description: 'Closed epochs with their algorithm version, totals, Merkle root and payout state.',
        span: 24,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT e.epoch, e.starts_at, e.ends_at, e.algorithm_version, e.emission::double precision AS emission,
  e.payout_total::double precision AS payout_total, e.wallets, e.leaf_count, e.parts, e.payout_state, e.paid_at, e.root
FROM reward_epochs e WHERE ${IN_RANGE} ORDER BY e.epoch DESC`,
            columns: {
              epoch: 'number',
              starts_at: 'time',
              ends_at: 'time',
              algorithm_version: 'text',
              emission: 'number',
              payout_total: 'number',
              wallets: 'number',
              leaf_count: 'number',
              parts: 'number',
              payout_state: 'text',
              paid_at: 'time',
              root: 'text',
            },
          }),
        ],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Devices by reward reason (last epoch)',
        description:
          'Why each device got what it got in the newest epoch (rewarded, below_threshold, over_capacity, …).',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT reason, count(*) AS devices FROM reward_leaves
WHERE epoch = (SELECT max(epoch) FROM reward_epochs) AND device_id IS NOT NULL
GROUP BY reason ORDER BY devices DESC, reason`,
            columns: { reason: 'text', devices: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Held rewards by reason',
        description: 'Rewards earned but not yet payable (no wallet, suspended), waiting for release.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT reason, sum(amount)::double precision AS held FROM reward_holds
WHERE released_epoch IS NULL GROUP BY reason ORDER BY held DESC, reason`,
            columns: { reason: 'text', held: 'number' },
          }),
        ],
      }),
    );
}

function payoutsRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Payouts'))
    .withPanel(
      bargauge({
        title: 'Payout states',
        description: 'Ledger rows (one per epoch and wallet) of epochs in the range, by state.',
        span: 8,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT p.state, count(*) AS payouts FROM reward_payouts p JOIN reward_epochs e USING (epoch)
WHERE ${IN_RANGE} GROUP BY p.state ORDER BY p.state`,
            columns: { state: 'text', payouts: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Payout amount by state',
        description: 'Per epoch: amounts pending, signed (sent, not yet confirmed) and confirmed on chain.',
        span: 16,
        bars: true,
        stacked: true,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT e.ends_at AS time, p.state AS metric, sum(p.amount)::double precision AS amount
FROM reward_payouts p JOIN reward_epochs e USING (epoch) WHERE ${IN_RANGE}
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', amount: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Top owners',
        description: 'Owner wallets by amount paid or payable in the range, with their devices in the newest epoch.',
        span: 10,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT p.wallet, sum(p.amount)::double precision AS amount, count(*) AS epochs,
  sum(p.amount) FILTER (WHERE p.state = 'confirmed')::double precision AS confirmed,
  (SELECT count(*) FROM reward_leaves l WHERE l.owner_wallet = p.wallet AND l.device_id IS NOT NULL
     AND l.epoch = (SELECT max(epoch) FROM reward_epochs)) AS devices
FROM reward_payouts p JOIN reward_epochs e USING (epoch) WHERE ${IN_RANGE}
GROUP BY p.wallet ORDER BY amount DESC, p.wallet LIMIT 20`,
            columns: { wallet: 'text', amount: 'number', epochs: 'number', confirmed: 'number', devices: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Chain confirmations',
        description: 'Payout transactions confirmed per interval, and the time from epoch close to confirmation.',
        span: 14,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(t.confirmed_at, $__interval), count(*) AS confirmed,
  max(extract(epoch from t.confirmed_at - e.closed_at)) AS "close to confirm (s)"
FROM reward_payout_txs t JOIN reward_epochs e USING (epoch)
WHERE t.state = 'confirmed' AND $__timeFilter(t.confirmed_at)
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', confirmed: 'number', 'close to confirm (s)': 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Payout transactions',
        description: 'One row per transaction (part) of each epoch: sends, errors, last error, slot when confirmed.',
        span: 24,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT t.epoch, t.part, t.parts, t.state, t.signature, t.signings, t.sends, t.errors, t.last_error, t.slot,
  t.confirmed_at, t.updated_at
FROM reward_payout_txs t JOIN reward_epochs e USING (epoch) WHERE ${IN_RANGE}
ORDER BY t.epoch DESC, t.part`,
            columns: {
              epoch: 'number',
              part: 'number',
              parts: 'number',
              state: 'text',
              signature: 'text',
              signings: 'number',
              sends: 'number',
              errors: 'number',
              last_error: 'text',
              slot: 'number',
              confirmed_at: 'time',
              updated_at: 'time',
            },
          }),
        ],
      }),
    );
}

export function rewards(q: SqlCatalogue): DashboardBuilder {
  const b = dashboard({
    uid: REWARDS_UID,
    title: 'GroundTruth · Rewards',
    description: 'Emission per epoch, payout states, top owners and chain confirmations.',
    tags: ['rewards'],
    from: 'now-30d',
    refresh: '5m',
  });
  return rewardsServiceRow(payoutsRow(emissionRow(b, q), q));
}
