/**
 * Network health: is data flowing, from whom, what is refused and how late. Live rates from the ingest's
 * Prometheus metrics; what was stored (devices, readings, quarantine, seq gaps) from PostgreSQL.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, prom, promHeatmap, type SqlCatalogue } from '../common.js';
import { INGEST, bucket } from '../metrics.js';
import { heatmap, stat, table, timeseries } from '../panels.js';
import { DELIVERY_LAG, ONLINE, readingsUnion } from '../sql.js';
import { kindVariable } from '../variables.js';

export const NETWORK_HEALTH_UID = 'gt-network-health';

const R = '[$__rate_interval]';
const rate = (metric: string, selector = '') => `rate(${metric}${selector}${R})`;
const quantile = (q: number, family: string) => `histogram_quantile(${q}, sum by (le) (${rate(bucket(family))}))`;
const quantiles = (family: string) => [0.5, 0.95, 0.99].map((q) => prom(quantile(q, family), `p${q * 100}`));

function ingestRow(b: DashboardBuilder): DashboardBuilder {
  const accepted = `sum(${rate(INGEST.readingsAccepted)})`;
  const rejected = `sum(${rate(INGEST.rejected)})`;
  return b
    .withRow(new RowBuilder('Ingest (Prometheus)'))
    .withPanel(
      stat({
        title: 'Readings accepted per second',
        description: 'Readings committed to storage, all ingest instances.',
        targets: [prom(accepted)],
        unit: 'short',
      }),
    )
    .withPanel(
      stat({
        title: 'Reject ratio',
        description: 'Quarantined messages and readings over everything decided (accepted + quarantined).',
        targets: [prom(`${rejected} / clamp_min(${rejected} + ${accepted}, 1e-9)`)],
        unit: 'percentunit',
        thresholds: [
          [0.05, 'orange'],
          [0.2, 'red'],
        ],
        baseColor: 'green',
      }),
    )
    .withPanel(
      stat({
        title: 'End-to-end lag p95',
        description: 'Commit time minus the reading timestamp, 95th percentile.',
        targets: [prom(quantile(0.95, INGEST.lagSeconds))],
        unit: 's',
        thresholds: [
          [10, 'orange'],
          [60, 'red'],
        ],
        baseColor: 'green',
      }),
    )
    .withPanel(
      stat({
        title: 'Unacknowledged messages',
        description: 'Messages received and not yet acknowledged (acks follow COMMIT); 1 = paused for backpressure.',
        targets: [prom(`sum(${INGEST.inflight})`, 'in flight'), prom(`max(${INGEST.paused})`, 'paused')],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Ingest rate',
        description: 'Readings accepted by kind, readings and messages received.',
        targets: [
          prom(`sum by (kind) (${rate(INGEST.readingsAccepted, '{kind=~"$kind"}')})`, 'accepted {{kind}}'),
          prom(`sum(${rate(INGEST.readingsReceived)})`, 'readings received'),
          prom(`sum(${rate(INGEST.messagesReceived)})`, 'messages received'),
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rejects by reason',
        description: 'Quarantined messages or readings per second, by stable reason code.',
        targets: [prom(`sum by (reason) (${rate(INGEST.rejected)})`, '{{reason}}')],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Commit latency',
        description:
          'Duration of a batch write transaction, BEGIN to COMMIT, including its wait for the row locks the batch before it holds.',
        targets: quantiles(INGEST.commitSeconds),
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'End-to-end lag',
        description: 'Commit time minus the device timestamp of each reading.',
        targets: quantiles(INGEST.lagSeconds),
        unit: 's',
      }),
    )
    .withPanel(
      heatmap({
        title: 'Batch size',
        description: 'Readings per committed batch.',
        targets: [promHeatmap(`sum by (le) (increase(${bucket(INGEST.batchReadings)}${R}))`)],
        calculate: false,
        span: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Signature verification per batch',
        description: 'Time to verify the signatures of one batch.',
        targets: quantiles(INGEST.verifySeconds),
        unit: 's',
        span: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Duplicates, seq gaps, retries, pauses',
        description:
          'Redeliveries acknowledged without storing, seq gaps detected, batch writes retried, and backpressure pauses (the writer fell behind).',
        targets: [
          prom(`sum(${rate(INGEST.duplicates)})`, 'duplicates'),
          prom(`sum(${rate(INGEST.seqGaps)})`, 'seq gaps'),
          prom(`sum(${rate(INGEST.writeRetries)})`, 'write retries'),
          prom(`sum(${rate(INGEST.pauses)})`, 'backpressure pauses'),
        ],
        unit: 'short',
        span: 8,
      }),
    );
}

function storageRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Stored (PostgreSQL)'))
    .withPanel(
      stat({
        title: 'Devices online',
        description: 'Active devices whose last reading arrived within three of their declared intervals.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT count(*) FILTER (WHERE ${ONLINE}) AS online, count(*) AS active
FROM devices d LEFT JOIN device_state s USING (device_id)
WHERE d.status = 'active' AND d.kind IN ($kind)`,
            columns: { online: 'number', active: 'number' },
          }),
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Active devices by kind',
        description: 'Devices with at least one stored reading in each interval.',
        span: 9,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(ts, $__interval), kind AS metric, count(DISTINCT device_id) AS devices
FROM (${readingsUnion('ts, device_id', '$__timeFilter(ts)', { kindVariable: true })}) r
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', devices: 'number' },
          }),
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Readings stored by kind',
        description: 'Readings stored per interval, by device timestamp.',
        span: 9,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(ts, $__interval), kind AS metric, count(*) AS readings
FROM (${readingsUnion('ts', '$__timeFilter(ts)', { kindVariable: true })}) r
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', readings: 'number' },
          }),
        ],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Quarantined by reason',
        description: 'Rows written to quarantine per interval, by reason code (nothing is dropped silently).',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(received_at, $__interval), reason AS metric, count(*) AS rejects
FROM quarantine WHERE $__timeFilter(received_at)
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', rejects: 'number' },
          }),
        ],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      table({
        title: 'Quarantine reasons',
        description: 'Reason codes in the time range, with the devices involved and the latest occurrence.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT reason, count(*) AS rejects, count(DISTINCT device_id) AS devices, sum(payload_bytes) AS bytes,
  max(received_at) AS last_seen
FROM quarantine WHERE $__timeFilter(received_at)
GROUP BY reason ORDER BY rejects DESC, reason`,
            columns: { reason: 'text', rejects: 'number', devices: 'number', bytes: 'number', last_seen: 'time' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Delivery lag (stored readings)',
        description: 'Arrival time minus device timestamp of stored readings: backlog drains show as spikes.',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(received_at, $__interval),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) AS p95,
  max(lag) AS max
FROM (${readingsUnion(`received_at, ${DELIVERY_LAG} AS lag`, '$__timeFilter(received_at)', { kindVariable: true })}) r
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', p50: 'number', p95: 'number', max: 'number' },
          }),
        ],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Seq gaps detected',
        description: 'Gaps in devices\u2019 sequence numbers and the readings they are missing.',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(detected_at, $__interval), count(*) AS gaps, sum(to_seq - from_seq + 1) AS missing
FROM seq_gaps WHERE $__timeFilter(detected_at)
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', gaps: 'number', missing: 'number' },
          }),
        ],
        unit: 'short',
      }),
    );
}

export function networkHealth(q: SqlCatalogue): DashboardBuilder {
  const b = dashboard({
    uid: NETWORK_HEALTH_UID,
    title: 'GroundTruth · Network health',
    description: 'Ingest rate, active devices by kind, rejects by reason, commit latency and end-to-end lag.',
    tags: ['network'],
  }).withVariable(kindVariable());
  return storageRow(ingestRow(b), q);
}
