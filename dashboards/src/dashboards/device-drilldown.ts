/**
 * One device, chosen with `$device`: what the registry knows, every metric it sent (read from the signed bodies,
 * so one query serves all kinds), delivery, its hour and epoch scores and rewards, what was quarantined, seq gaps
 * and the registry history.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, type SqlCatalogue } from '../common.js';
import { stat, table, timeseries } from '../panels.js';
import { availability, DELIVERY_LAG, readingsUnion } from '../sql.js';
import { deviceVariable } from '../variables.js';

export const DEVICE_UID = 'gt-device';

const OF_DEVICE = `device_id = '$device'`;

function overviewRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Device'))
    .withPanel(
      table({
        title: 'Registry',
        description: 'The device as registered: owner wallet, hardware, declared location and interval, status.',
        span: 24,
        height: 5,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT d.device_id, d.kind, d.owner_wallet, d.model, d.maker, d.status, d.status_reason, d.interval_s,
  d.declared_lat, d.declared_lon, d.registered_at, s.readings, s.high_seq, s.last_ts, s.last_received_at
FROM devices d LEFT JOIN device_state s USING (device_id)
WHERE d.${OF_DEVICE}`,
            columns: {
              device_id: 'text',
              kind: 'text',
              owner_wallet: 'text',
              model: 'text',
              maker: 'text',
              status: 'text',
              status_reason: 'text',
              interval_s: 'number',
              declared_lat: 'number',
              declared_lon: 'number',
              registered_at: 'time',
              readings: 'number',
              high_seq: 'number',
              last_ts: 'time',
              last_received_at: 'time',
            },
          }),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Since last reading',
        description: 'Time since the last reading of this device arrived.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT extract(epoch from now() - last_received_at) AS silence FROM device_state WHERE ${OF_DEVICE}`,
            columns: { silence: 'number' },
          }),
        ],
        unit: 's',
      }),
    )
    .withPanel(
      stat({
        title: 'Availability in range',
        description: 'Readings stored in the time range over the readings its declared interval promises.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT ${availability('count(r.ts)')} AS availability
FROM devices d
LEFT JOIN (${readingsUnion('device_id, ts', `${OF_DEVICE} AND $__timeFilter(ts)`)}) r USING (device_id)
WHERE d.${OF_DEVICE}
GROUP BY d.registered_at, d.interval_s`,
            columns: { availability: 'number' },
          }),
        ],
        unit: 'percentunit',
        thresholds: [
          [0.8, 'orange'],
          [0.95, 'green'],
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Quarantined in range',
        description: 'Messages or readings of this device refused in the time range.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT count(*) AS rejects FROM quarantine WHERE ${OF_DEVICE} AND $__timeFilter(received_at)`,
            columns: { rejects: 'number' },
          }),
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      stat({
        title: 'Missing readings (seq gaps)',
        description: 'Readings missing from recorded seq gaps detected in the time range.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT coalesce(sum(to_seq - from_seq + 1), 0) AS missing FROM seq_gaps
WHERE ${OF_DEVICE} AND $__timeFilter(detected_at)`,
            columns: { missing: 'number' },
          }),
        ],
        unit: 'short',
      }),
    );
}

function readingsRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  const ofDevice = `${OF_DEVICE} AND $__timeFilter(ts)`;
  return b
    .withRow(new RowBuilder('Readings'))
    .withPanel(
      timeseries({
        title: 'Metrics',
        description: 'Every metric of the signed reading bodies (SI units, see the protocol catalogue).',
        span: 24,
        height: 10,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT r.ts AS time, m.key AS metric, m.value::double precision AS value
FROM (${readingsUnion('ts, body', ofDevice)}) r
CROSS JOIN LATERAL jsonb_each_text(r.body::jsonb -> 'metrics') m
ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', value: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Readings per interval',
        description: 'Readings stored per interval against what the declared interval promises.',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(r.ts, $__interval), count(*) AS readings, max($__interval_ms / 1000.0 / d.interval_s) AS expected
FROM (${readingsUnion('device_id, ts', ofDevice)}) r JOIN devices d USING (device_id)
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', readings: 'number', expected: 'number' },
          }),
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Delivery lag and ingest flags',
        description: 'Arrival minus device time; readings flagged at ingest (range, clock ahead, delayed, late seq).',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(ts, $__interval), avg(${DELIVERY_LAG}) AS "lag (s)",
  count(*) FILTER (WHERE qflags <> 0) AS flagged
FROM (${readingsUnion('ts, received_at, qflags', ofDevice)}) r
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', 'lag (s)': 'number', flagged: 'number' },
          }),
        ],
      }),
    );
}

function scoresRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Scores and rewards'))
    .withPanel(
      timeseries({
        title: 'Hourly quality',
        description: 'Quality and availability of each hour the scoring job rolled up, per algorithm version.',
        min: 0,
        max: 1,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT hour AS time, 'quality ' || version AS metric, quality AS value FROM device_hour
WHERE ${OF_DEVICE} AND $__timeFilter(hour)
UNION ALL
SELECT hour AS time, 'availability ' || version AS metric, availability AS value FROM device_hour
WHERE ${OF_DEVICE} AND $__timeFilter(hour)
ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', value: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Flags by check (scoring)',
        description: 'Readings of this device flagged per interval by each scoring check, per algorithm version.',
        stacked: true,
        bars: true,
        unit: 'short',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(f.ts, $__interval), c || ' ' || f.version AS metric, count(*) AS readings
FROM reading_flags f CROSS JOIN LATERAL unnest(f.checks) AS c
WHERE f.${OF_DEVICE} AND $__timeFilter(f.ts)
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', readings: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Epoch scores',
        description: 'Each epoch score of this device with its reason codes: "why did my device score 0.62?"',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT epoch_start, epoch_end, version, quality, location_score, availability,
  array_to_string(reasons, ', ') AS reasons, scored_at
FROM device_epoch_scores WHERE ${OF_DEVICE} AND $__timeFilter(epoch_end)
ORDER BY epoch_end DESC, scored_at DESC`,
            columns: {
              epoch_start: 'time',
              epoch_end: 'time',
              version: 'text',
              quality: 'number',
              location_score: 'number',
              availability: 'number',
              reasons: 'text',
              scored_at: 'time',
            },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Rewards',
        description:
          'Manifest leaves of this device (emission and sale credits) and the state of the payout to its owner.',
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT l.epoch, e.ends_at, l.source, l.reason, l.amount::double precision AS amount, l.owner_wallet,
  p.state AS payout_state, p.signature
FROM reward_leaves l JOIN reward_epochs e USING (epoch)
LEFT JOIN reward_payouts p ON p.epoch = l.epoch AND p.wallet = l.owner_wallet
WHERE l.${OF_DEVICE} AND $__timeFilter(e.ends_at)
ORDER BY l.epoch DESC, l.idx`,
            columns: {
              epoch: 'number',
              ends_at: 'time',
              source: 'text',
              reason: 'text',
              amount: 'number',
              owner_wallet: 'text',
              payout_state: 'text',
              signature: 'text',
            },
          }),
        ],
      }),
    );
}

function evidenceRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Quarantine, gaps and history'))
    .withPanel(
      table({
        title: 'Quarantined',
        description: 'Refused messages or readings of this device, newest first.',
        span: 10,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT received_at, reason, seq, detail, payload_bytes FROM quarantine
WHERE ${OF_DEVICE} AND $__timeFilter(received_at) ORDER BY received_at DESC LIMIT 500`,
            columns: { received_at: 'time', reason: 'text', seq: 'number', detail: 'text', payload_bytes: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Seq gaps',
        description: 'Sequence numbers the device skipped (filled later if late readings arrive).',
        span: 6,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT detected_at, from_seq, to_seq, to_seq - from_seq + 1 AS missing FROM seq_gaps
WHERE ${OF_DEVICE} ORDER BY detected_at DESC LIMIT 500`,
            columns: { detected_at: 'time', from_seq: 'number', to_seq: 'number', missing: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Registry history',
        description: 'Registration, transfers, suspensions and reinstatements.',
        span: 8,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT at, action, actor, reason, from_owner, to_owner FROM device_events
WHERE ${OF_DEVICE} ORDER BY id DESC`,
            columns: {
              at: 'time',
              action: 'text',
              actor: 'text',
              reason: 'text',
              from_owner: 'text',
              to_owner: 'text',
            },
          }),
        ],
      }),
    );
}

export function deviceDrilldown(q: SqlCatalogue): DashboardBuilder {
  const b = dashboard({
    uid: DEVICE_UID,
    title: 'GroundTruth · Device',
    description:
      'Drill-down of one device: registry record, metrics, delivery, scores, rewards, quarantine, seq gaps, history.',
    tags: ['device'],
    from: 'now-24h',
  }).withVariable(deviceVariable(q));
  return evidenceRow(scoresRow(readingsRow(overviewRow(b, q), q), q), q);
}
