/**
 * Data quality: how good the network's data is and who drags it down. Epoch scores, hour rollups and reading
 * flags are what the scoring service stored (services/kit/migrations/1732800000000_scoring.sql); availability and
 * ingest flags come straight from the stored readings, so they show before the first scoring run.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, type SqlCatalogue } from '../common.js';
import { bargauge, table, timeseries } from '../panels.js';
import { availability, epochScores, LAST_EPOCH_SCORES, readingsUnion } from '../sql.js';
import { kindVariable, versionVariable } from '../variables.js';
import { DEVICE_UID } from './device-drilldown.js';
import { scoringJobRow } from './scoring-job.js';

export const DATA_QUALITY_UID = 'gt-data-quality';

/** Bits of `readings_*.qflags` set by the ingest (services/ingest quality.flags.ts; never reassigned). */
export const INGEST_FLAGS = [
  ['out of range', 1],
  ['clock ahead', 2],
  ['delayed', 4],
  ['late seq', 8],
] as const;

export const deviceLink = {
  id: 'links',
  value: [{ title: 'Device drill-down', url: `/d/${DEVICE_UID}?var-device=\${__value.raw}&\${__url_time_range}` }],
};

function scoresRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Epoch scores'))
    .withPanel(
      bargauge({
        title: 'Score distribution (last epoch)',
        description: 'Devices per quality band at the last scored epoch (0 = useless, 1 = perfect).',
        span: 8,
        height: 10,
        targets: [
          q.query({
            format: 'table',
            sql: `WITH s AS (${LAST_EPOCH_SCORES})
SELECT to_char((b - 1) / 10.0, 'FM0.0') || '–' || to_char(b / 10.0, 'FM0.0') AS band, count(s.device_id) AS devices
FROM generate_series(1, 10) AS b
LEFT JOIN s ON least(width_bucket(s.quality, 0, 1, 10), 10) = b AND s.kind IN ($kind)
GROUP BY b ORDER BY b`,
            columns: { band: 'text', devices: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Mean score by kind',
        description: 'Mean epoch quality per hardware kind, at each epoch end.',
        span: 10,
        height: 10,
        min: 0,
        max: 1,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT s.epoch_end AS time, s.kind AS metric, avg(s.quality) AS score
FROM (${epochScores('$__timeFilter(epoch_end) AND kind IN ($kind)')}) s
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', score: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Reason codes (last epoch)',
        description: 'Devices per scoring reason code at the last scored epoch (no data, low availability, …).',
        span: 6,
        height: 10,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT r AS reason, count(*) AS devices
FROM (${LAST_EPOCH_SCORES}) s CROSS JOIN LATERAL unnest(s.reasons) AS r
WHERE s.kind IN ($kind) GROUP BY r ORDER BY devices DESC, r`,
            columns: { reason: 'text', devices: 'number' },
          }),
        ],
      }),
    );
}

function hoursRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Hours (scoring version $version)'))
    .withPanel(
      timeseries({
        title: 'Hourly quality and availability by kind',
        description: 'Mean hour quality and availability over the devices of each kind, from the hour rollups.',
        min: 0,
        max: 1,
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT hour AS time, kind || ' quality' AS metric, avg(quality) AS value FROM device_hour
WHERE version = '$version' AND $__timeFilter(hour) AND kind IN ($kind) GROUP BY 1, 2
UNION ALL
SELECT hour AS time, kind || ' availability' AS metric, avg(availability) AS value FROM device_hour
WHERE version = '$version' AND $__timeFilter(hour) AND kind IN ($kind) GROUP BY 1, 2
ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', value: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Flags by check (scoring)',
        description: 'Readings flagged per interval by each scoring check (range, jump, stuck, buddy, teleport, …).',
        stacked: true,
        bars: true,
        unit: 'short',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(f.ts, $__interval), c AS metric, count(*) AS readings
FROM reading_flags f CROSS JOIN LATERAL unnest(f.checks) AS c
WHERE f.version = '$version' AND $__timeFilter(f.ts) AND f.kind IN ($kind)
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', readings: 'number' },
          }),
        ],
      }),
    );
}

function availabilityRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  const inRange = '$__timeFilter(ts)';
  return b
    .withRow(new RowBuilder('Availability and ingest flags'))
    .withPanel(
      bargauge({
        title: 'Availability by kind',
        description: 'Mean over active devices of readings received / readings promised by the declared interval.',
        span: 8,
        min: 0,
        max: 1,
        unit: 'percentunit',
        thresholds: [
          [0.8, 'orange'],
          [0.95, 'green'],
        ],
        targets: [
          q.query({
            format: 'table',
            sql: `WITH r AS (SELECT device_id, count(*) AS n FROM (${readingsUnion('device_id', inRange, { kindVariable: true })}) u
  GROUP BY device_id)
SELECT d.kind, avg(${availability('coalesce(r.n, 0)')}) AS availability
FROM devices d LEFT JOIN r USING (device_id)
WHERE d.status = 'active' AND d.kind IN ($kind) AND d.registered_at < $__timeTo()::timestamptz
GROUP BY d.kind ORDER BY d.kind`,
            columns: { kind: 'text', availability: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Availability by kind over time',
        description: 'Readings stored per interval over readings promised by active devices of each kind.',
        span: 16,
        min: 0,
        unit: 'percentunit',
        targets: [
          q.query({
            format: 'time_series',
            sql: `WITH promised AS (SELECT kind, sum($__interval_ms / 1000.0 / interval_s) AS per_interval FROM devices
  WHERE status = 'active' GROUP BY kind)
SELECT $__timeGroupAlias(r.ts, $__interval), r.kind AS metric, least(1.0, count(*) / max(p.per_interval)) AS availability
FROM (${readingsUnion('ts', inRange, { kindVariable: true })}) r JOIN promised p USING (kind)
GROUP BY 1, 2 ORDER BY 1, 2`,
            columns: { time: 'time', metric: 'text', availability: 'number' },
          }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Flags by check (ingest)',
        description: 'Share of stored readings flagged by each ingest check (flags never reject; scoring weighs them).',
        span: 24,
        unit: 'percentunit',
        targets: [
          q.query({
            format: 'time_series',
            sql: `SELECT $__timeGroupAlias(ts, $__interval),
${INGEST_FLAGS.map(([name, bit]) => `  avg((qflags & ${bit} <> 0)::int) AS "${name}"`).join(',\n')}
FROM (${readingsUnion('ts, qflags', inRange, { kindVariable: true })}) r
GROUP BY 1 ORDER BY 1`,
            columns: { time: 'time', ...Object.fromEntries(INGEST_FLAGS.map(([name]) => [name, 'number' as const])) },
          }),
        ],
      }),
    );
}

function devicesRow(b: DashboardBuilder, q: SqlCatalogue): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Devices and runs'))
    .withPanel(
      table({
        title: 'Worst devices',
        description:
          'Lowest last-epoch quality first (unscored devices last), with reason codes, availability and ingest flags in the range.',
        span: 24,
        height: 12,
        targets: [
          q.query({
            format: 'table',
            sql: `WITH r AS (SELECT device_id, count(*) AS n, count(*) FILTER (WHERE qflags <> 0) AS flagged
  FROM (${readingsUnion('device_id, qflags', '$__timeFilter(ts)', { kindVariable: true })}) u GROUP BY device_id),
s AS (${LAST_EPOCH_SCORES})
SELECT d.device_id, d.kind, d.model, d.owner_wallet, s.quality, s.location_score,
  ${availability('coalesce(r.n, 0)')} AS availability,
  coalesce(r.flagged, 0)::double precision / greatest(r.n, 1) AS flagged_share,
  array_to_string(s.reasons, ', ') AS reasons
FROM devices d LEFT JOIN r USING (device_id) LEFT JOIN s USING (device_id)
WHERE d.status = 'active' AND d.kind IN ($kind)
ORDER BY s.quality ASC NULLS LAST, availability ASC, d.device_id LIMIT 25`,
            columns: {
              device_id: 'text',
              kind: 'text',
              model: 'text',
              owner_wallet: 'text',
              quality: 'number',
              location_score: 'number',
              availability: 'number',
              flagged_share: 'number',
              reasons: 'text',
            },
          }),
        ],
      }).overrideByName('device_id', [deviceLink]),
    )
    .withPanel(
      table({
        title: 'Scoring runs',
        description:
          'Every scoring of an epoch (scheduled, re-score, appeal): who asked and why, the version, and the digest of what it wrote.',
        span: 24,
        targets: [
          q.query({
            format: 'table',
            sql: `SELECT requested_at, kind, requested_by, reason, device_id, epoch_start, epoch_end, version, previous_version,
  status, devices_scored, finished_at, digest, error
FROM rescoring_runs WHERE $__timeFilter(requested_at) ORDER BY id DESC LIMIT 200`,
            columns: {
              requested_at: 'time',
              kind: 'text',
              requested_by: 'text',
              reason: 'text',
              device_id: 'text',
              epoch_start: 'time',
              epoch_end: 'time',
              version: 'text',
              previous_version: 'text',
              status: 'text',
              devices_scored: 'number',
              finished_at: 'time',
              digest: 'text',
              error: 'text',
            },
          }),
        ],
      }),
    );
}

export function dataQuality(q: SqlCatalogue): DashboardBuilder {
  const b = dashboard({
    uid: DATA_QUALITY_UID,
    title: 'GroundTruth · Data quality',
    description: 'Score distribution, flags by check, availability by kind and the worst devices.',
    tags: ['quality'],
    from: 'now-7d',
    refresh: '5m',
  })
    .withVariable(kindVariable())
    .withVariable(versionVariable(q));
  return scoringJobRow(devicesRow(availabilityRow(hoursRow(scoresRow(b, q), q), q), q));
}
