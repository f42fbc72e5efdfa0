/**
 * The rewards service as Prometheus sees it (a row of the rewards dashboard): epoch closes, the last epoch's
 * amounts, the payout ledger by state, payout transactions by outcome and Solana RPC errors.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { prom } from '../common.js';
import { REWARDS, bucket } from '../metrics.js';
import { stat, timeseries } from '../panels.js';

const R = '[$__rate_interval]';

export function rewardsServiceRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Rewards service (Prometheus)'))
    .withPanel(
      stat({
        title: 'Epochs closed',
        description: 'Number of the last epoch the running rewards service closed, and closes in the range.',
        span: 6,
        targets: [
          prom(`max(${REWARDS.lastClosedEpoch})`, 'last closed'),
          prom(`sum(increase(${REWARDS.epochsClosed}[$__range]))`, 'closed in range'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Last epoch amounts',
        description: 'Token base units of the last closed epoch by disposition (emission, rewarded, held, …).',
        span: 9,
        targets: [prom(`max by (disposition) (${REWARDS.epochBaseUnits})`, '{{disposition}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Payout ledger by state',
        description: 'Ledger rows (epoch, wallet) by state, read from the database at each scrape.',
        span: 9,
        targets: [prom(`max by (state) (${REWARDS.payouts})`, '{{state}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Payout transactions by outcome',
        description: 'Signed, re-signed after expiry or failure, confirmed.',
        span: 8,
        stacked: true,
        targets: [prom(`sum by (outcome) (increase(${REWARDS.payoutTransactions}${R}))`, '{{outcome}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Solana RPC errors, unpayable credits',
        description:
          'Errors from the Solana gateway by code and RPC method; open credits an epoch close could not pay (left open).',
        span: 8,
        stacked: true,
        targets: [
          prom(`sum by (code, method) (increase(${REWARDS.rpcErrors}${R}))`, '{{method}} {{code}}'),
          prom(`sum(increase(${REWARDS.unpayableCredits}${R}))`, 'unpayable credits'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Time to pay an epoch',
        description: 'Duration of one runner pass paying an epoch, 50th and 95th percentile.',
        span: 8,
        unit: 's',
        targets: [0.5, 0.95].map((q) =>
          prom(`histogram_quantile(${q}, sum by (le) (rate(${bucket(REWARDS.payoutSeconds)}${R})))`, `p${q * 100}`),
        ),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Devices by reward reason (service)',
        description: 'Devices of the last closed epoch per reward reason code.',
        span: 24,
        stacked: true,
        targets: [prom(`max by (reason) (${REWARDS.epochDevices})`, '{{reason}}')],
      }),
    );
}
