import type { HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import { checkNames } from '../core/checks.js';
import type { DeviceMeta } from '../core/device-meta.js';
import type { FlaggedReading } from '../core/device-pass.js';
import type { ObservedHour } from '../core/location-score.js';
import { hourAvailability, hourQuality, type HourRollup } from '../core/hour-rollup.js';
import type { ScoringParams } from '../core/params.js';
import type { QuarantineCounts } from '../core/quarantine.js';
import { HOUR_MS } from '../core/time.js';
import { variablesOf } from '../core/variables.js';
import { metaFromRow, rollupFromRow, type DeviceHourRow, type DeviceRow } from './rows.js';
import { copyLines, copyText, COPY_NULL } from './copy-writer.js';
import { nullIfNaN, numberArrayLiteral, textArrayLiteral, tsParam, type Queryable } from './sql.js';

const INSERT_BATCH = 5000;

/** What one device contributes to a write: its rollups and flagged readings in the scored range. */
export interface DeviceResult {
  readonly meta: DeviceMeta;
  readonly hours: readonly HourRollup[];
  readonly flagged: readonly FlaggedReading[];
}

/** Registry rows, hour rollups, reading flags, quarantine evidence and the job's watermark. */
export class HoursRepository {
  /** `copy`: write rollups and flags with COPY FROM STDIN (not on PGlite); otherwise INSERT … FROM unnest */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { readonly copy?: boolean } = {},
  ) {}

  /**
   * Devices registered before `before`, with their status as of then (the last suspension, revocation or
   * reinstatement event before it; the current status when the registry has no event).
   */
  async devices(before: number, ids?: readonly string[]): Promise<DeviceMeta[]> {
    const params: unknown[] = [tsParam(before)];
    if (ids) {
      params.push(ids);
    }
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT d.device_id, d.kind, d.interval_s, d.declared_lat, d.declared_lon, d.declared_alt,
              round(extract(epoch FROM d.registered_at) * 1000)::float8 AS registered_ms,
              COALESCE((SELECT CASE e.action WHEN 'suspended' THEN 'suspended' WHEN 'revoked' THEN 'revoked' ELSE 'active' END
                          FROM device_events e
                         WHERE e.device_id = d.device_id AND e.at < $1
                           AND e.action IN ('registered', 'suspended', 'revoked', 'reinstated')
                         ORDER BY e.at DESC, e.id DESC LIMIT 1), d.status) AS status
         FROM devices d
        WHERE d.registered_at < $1 ${ids ? 'AND d.device_id = ANY($2::text[])' : ''}
        ORDER BY d.device_id`,
      params,
    );
    return rows.map(metaFromRow);
  }

  /** Quarantined messages per device and hour of receipt, by reason. */
  async quarantineCounts(
    from: number,
    to: number,
    ids?: readonly string[],
  ): Promise<Map<string, Map<number, QuarantineCounts>>> {
    const params: unknown[] = [tsParam(from), tsParam(to)];
    if (ids) {
      params.push(ids);
    }
    const { rows } = await this.pool.query<{ device_id: string; hour_ms: number; reason: string; count: number }>(
      `SELECT device_id,
              round(extract(epoch FROM date_bin('1 hour', received_at, timestamptz '2000-01-01 00:00:00+00')) * 1000)::float8 AS hour_ms,
              reason, count(*)::int AS count
         FROM quarantine
        WHERE received_at >= $1 AND received_at < $2 AND device_id IS NOT NULL ${ids ? 'AND device_id = ANY($3::text[])' : ''}
        GROUP BY 1, 2, 3`,
      params,
    );
    const out = new Map<string, Map<number, Record<string, number>>>();
    for (const row of rows) {
      const byHour = out.get(row.device_id) ?? new Map<number, Record<string, number>>();
      out.set(row.device_id, byHour);
      const counts = byHour.get(row.hour_ms) ?? {};
      byHour.set(row.hour_ms, counts);
      counts[row.reason] = row.count;
    }
    return out;
  }

  /**
   * Replaces the version's reading flags of these devices in [from, to), and their rollups of the whole hours
   * inside it (an hour only partly in the range is not stored: its rollup covers part of it), with the given
   * ones (call inside a transaction: re-running the same range writes the same rows).
   */
  async replaceHours(
    client: pg.PoolClient,
    version: string,
    params: ScoringParams,
    range: { from: number; to: number },
    results: readonly DeviceResult[],
  ): Promise<void> {
    const ids = results.map((r) => r.meta.device);
    const firstHour = Math.ceil(range.from / HOUR_MS) * HOUR_MS;
    const endHour = Math.floor(range.to / HOUR_MS) * HOUR_MS;
    if (endHour > firstHour) {
      await client.query(
        `DELETE FROM device_hour WHERE version = $1 AND hour >= $2 AND hour < $3 AND device_id = ANY($4::text[])`,
        [version, tsParam(firstHour), tsParam(endHour), ids],
      );
    }
    await client.query(
      `DELETE FROM reading_flags WHERE version = $1 AND ts >= $2 AND ts < $3 AND device_id = ANY($4::text[])`,
      [version, tsParam(range.from), tsParam(range.to), ids],
    );
    const hours = results.flatMap((r) => r.hours.filter((h) => h.hour >= firstHour && h.hour < endHour));
    const flags = results.flatMap((r) => r.flagged.map((f) => ({ device: r.meta.device, kind: r.meta.kind, f })));
    if (this.options.copy) {
      const required = requiredIndexes(params);
      await copyLines(
        client,
        'device_hour',
        HOUR_COLUMNS,
        hours.map((h) => hourLine(version, h, required)),
      );
      await copyLines(
        client,
        'reading_flags',
        FLAG_COLUMNS,
        flags.map((r) => flagLine(version, r)),
      );
      return;
    }
    for (let i = 0; i < hours.length; i += INSERT_BATCH) {
      await insertHours(client, version, params, hours.slice(i, i + INSERT_BATCH));
    }
    for (let i = 0; i < flags.length; i += INSERT_BATCH) {
      await insertFlags(client, version, flags.slice(i, i + INSERT_BATCH));
    }
  }

  /** The version's rollups of hours in [from, to) (of some devices), in (device, hour) order. */
  async hours(version: string, from: number, to: number, ids?: readonly string[]): Promise<HourRollup[]> {
    const params: unknown[] = [version, tsParam(from), tsParam(to)];
    if (ids) {
      params.push(ids);
    }
    const { rows } = await this.pool.query<DeviceHourRow>(
      `SELECT device_id, round(extract(epoch FROM hour) * 1000)::float8 AS hour_ms, kind, n, expected, flagged, seq_gaps,
              var_present, var_valid, var_mean, check_fail, check_loss, obs_n, obs_lat, obs_lon, loc_mismatch,
              clock_lag_min_s, solar_index, hour_flags, detail
         FROM device_hour
        WHERE version = $1 AND hour >= $2 AND hour < $3 ${ids ? 'AND device_id = ANY($4::text[])' : ''}
        ORDER BY device_id, hour`,
      params,
    );
    return rows.map(rollupFromRow);
  }

  /** Observed positions of hours in [from, to) that had good fixes (relocation history), per device. */
  async observedHours(
    version: string,
    from: number,
    to: number,
    ids?: readonly string[],
  ): Promise<Map<string, ObservedHour[]>> {
    const params: unknown[] = [version, tsParam(from), tsParam(to)];
    if (ids) {
      params.push(ids);
    }
    const { rows } = await this.pool.query<{
      device_id: string;
      hour_ms: number;
      obs_n: number;
      obs_lat: number;
      obs_lon: number;
      loc_mismatch: number;
    }>(
      `SELECT device_id, round(extract(epoch FROM hour) * 1000)::float8 AS hour_ms, obs_n, obs_lat, obs_lon, loc_mismatch
         FROM device_hour
        WHERE version = $1 AND hour >= $2 AND hour < $3 AND obs_n > 0 AND kind <> 'vehicle' ${ids ? 'AND device_id = ANY($4::text[])' : ''}
        ORDER BY device_id, hour`,
      params,
    );
    const out = new Map<string, ObservedHour[]>();
    for (const row of rows) {
      const list = out.get(row.device_id) ?? [];
      out.set(row.device_id, list);
      list.push({
        hour: row.hour_ms,
        obsN: row.obs_n,
        obsLat: row.obs_lat,
        obsLon: row.obs_lon,
        locMismatch: row.loc_mismatch,
      });
    }
    return out;
  }

  async progress(version: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ ms: number }>(
      `SELECT round(extract(epoch FROM scored_until) * 1000)::float8 AS ms FROM scoring_progress WHERE version = $1`,
      [version],
    );
    return rows[0]?.ms;
  }

  async setProgress(client: Queryable, version: string, until: number): Promise<void> {
    await client.query(
      `INSERT INTO scoring_progress (version, scored_until) VALUES ($1, $2)
       ON CONFLICT (version) DO UPDATE SET scored_until = GREATEST(scoring_progress.scored_until, EXCLUDED.scored_until), updated_at = now()`,
      [version, tsParam(until)],
    );
  }

  /** Earliest reading timestamp of a kind at or after `from` (where an empty watermark starts), ms. */
  async firstReading(kind: HardwareKind, from: number): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ ms: number | null }>(
      `SELECT round(extract(epoch FROM min(ts)) * 1000)::float8 AS ms FROM readings_${kind} WHERE ts >= $1`,
      [tsParam(from)],
    );
    return rows[0]?.ms ?? undefined;
  }
}

/** Per kind, the indexes of the variables always scored (for the hour's own quality). */
function requiredIndexes(params: ScoringParams): (kind: HardwareKind) => Set<number> {
  const required = new Map<HardwareKind, Set<number>>();
  return (kind) => {
    let set = required.get(kind);
    if (!set) {
      const names = variablesOf(kind);
      set = new Set(params.required[kind].map((name) => names.indexOf(name)));
      required.set(kind, set);
    }
    return set;
  };
}

const HOUR_COLUMNS = [
  'device_id',
  'hour',
  'version',
  'kind',
  'n',
  'expected',
  'availability',
  'quality',
  'flagged',
  'seq_gaps',
  'var_present',
  'var_valid',
  'var_mean',
  'check_fail',
  'check_loss',
  'obs_n',
  'obs_lat',
  'obs_lon',
  'loc_mismatch',
  'clock_lag_min_s',
  'solar_index',
  'hour_flags',
  'detail',
];

/** A `device_hour` row in COPY text format; the same values, as text, that {@link insertHours} sends. */
function hourLine(version: string, h: HourRollup, requiredOf: (kind: HardwareKind) => Set<number>): string {
  const scalar = (x: number) => (Number.isNaN(x) ? COPY_NULL : String(x));
  return [
    copyText(h.device),
    tsParam(h.hour),
    copyText(version),
    h.kind,
    String(h.n),
    String(h.expected),
    String(hourAvailability(h)),
    String(hourQuality(h, requiredOf(h.kind))),
    String(h.flagged),
    String(h.seqGaps),
    numberArrayLiteral(h.present),
    numberArrayLiteral(h.valid),
    numberArrayLiteral(h.mean),
    numberArrayLiteral(h.fail),
    numberArrayLiteral(h.loss),
    String(h.obsN),
    scalar(h.obsLat),
    scalar(h.obsLon),
    String(h.locMismatch),
    scalar(h.clockLagMinS),
    scalar(h.solarIndex),
    String(h.hourFlags),
    copyText(detailColumn(h)),
  ].join('\t');
}

const FLAG_COLUMNS = ['device_id', 'ts', 'seq', 'version', 'kind', 'flags', 'checks', 'variables'];

function flagLine(version: string, r: { device: string; kind: HardwareKind; f: FlaggedReading }): string {
  const names = variablesOf(r.kind);
  return [
    copyText(r.device),
    tsParam(r.f.ts),
    String(r.f.seq),
    copyText(version),
    r.kind,
    String(r.f.flags),
    textArrayLiteral(checkNames(r.f.flags)),
    textArrayLiteral(names.filter((_, v) => (r.f.vars >>> v) & 1)),
  ].join('\t');
}

async function insertHours(
  client: Queryable,
  version: string,
  params: ScoringParams,
  hours: readonly HourRollup[],
): Promise<void> {
  const requiredOf = requiredIndexes(params);
  const col = <T>(f: (h: HourRollup) => T) => hours.map(f);
  await client.query(
    `INSERT INTO device_hour (device_id, hour, version, kind, n, expected, availability, quality, flagged, seq_gaps,
       var_present, var_valid, var_mean, check_fail, check_loss, obs_n, obs_lat, obs_lon, loc_mismatch,
       clock_lag_min_s, solar_index, hour_flags, detail)
     SELECT d, h, $1, k, n, e, a, q, f, g, vp::int[], vv::int[], vm::float8[], cf::int[], cl::float8[], o, olat, olon, lm, cls, si, hf, dt::jsonb
       FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::int[],
                   $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[], $17::float8[],
                   $18::float8[], $19::int[], $20::float8[], $21::float8[], $22::int[], $23::text[])
            AS t(d, h, k, n, e, a, q, f, g, vp, vv, vm, cf, cl, o, olat, olon, lm, cls, si, hf, dt)`,
    [
      version,
      col((h) => h.device),
      col((h) => tsParam(h.hour)),
      col((h) => h.kind),
      col((h) => h.n),
      col((h) => h.expected),
      col((h) => hourAvailability(h)),
      col((h) => hourQuality(h, requiredOf(h.kind))),
      col((h) => h.flagged),
      col((h) => h.seqGaps),
      col((h) => numberArrayLiteral(h.present)),
      col((h) => numberArrayLiteral(h.valid)),
      col((h) => numberArrayLiteral(h.mean)),
      col((h) => numberArrayLiteral(h.fail)),
      col((h) => numberArrayLiteral(h.loss)),
      col((h) => h.obsN),
      col((h) => nullIfNaN(h.obsLat)),
      col((h) => nullIfNaN(h.obsLon)),
      col((h) => h.locMismatch),
      col((h) => nullIfNaN(h.clockLagMinS)),
      col((h) => nullIfNaN(h.solarIndex)),
      col((h) => h.hourFlags),
      col((h) => detailColumn(h)),
    ],
  );
}

async function insertFlags(
  client: Queryable,
  version: string,
  rows: readonly { device: string; kind: HardwareKind; f: FlaggedReading }[],
): Promise<void> {
  await client.query(
    `INSERT INTO reading_flags (device_id, ts, seq, version, kind, flags, checks, variables)
     SELECT d, t, s, $1, k, f, c::text[], v::text[]
       FROM unnest($2::text[], $3::timestamptz[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::text[]) AS x(d, t, s, k, f, c, v)`,
    [
      version,
      rows.map((r) => r.device),
      rows.map((r) => tsParam(r.f.ts)),
      rows.map((r) => r.f.seq),
      rows.map((r) => r.kind),
      rows.map((r) => r.f.flags),
      rows.map((r) => textArrayLiteral(checkNames(r.f.flags))),
      rows.map((r) => {
        const names = variablesOf(r.kind);
        return textArrayLiteral(names.filter((_, v) => (r.f.vars >>> v) & 1));
      }),
    ],
  );
}

/** `detail` as stored: the findings, plus the drift check's inputs under `trend` (no column of their own). */
function detailColumn(h: HourRollup): string | null {
  const hasTrend = Object.keys(h.trend).length > 0;
  if (h.detail === null && !hasTrend) {
    return null;
  }
  return JSON.stringify(hasTrend ? { ...h.detail, trend: h.trend } : h.detail);
}
