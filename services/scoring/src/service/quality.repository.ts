import { isHardwareKind, type HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import { metricsOf } from '../core/variables.js';
import { compareVersions, isAlgorithmVersion } from '../core/version.js';
import type { EpochCalendar } from '../schedule/epoch-calendar.js';
import type { ReadingValues } from '../explain/explanation.js';
import { exampleKey } from '../explain/explanation.js';
import {
  SCORE_SUMMARY_COLUMNS,
  scoreSummaryFromRow,
  type ScoreSummary,
  type ScoreSummaryRow,
} from '../db/scores.repository.js';

/** A device as the registry's table has it, with what the API needs. */
export interface DeviceRecord {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly ownerWallet: string | null;
  readonly status: string;
}

/** One row of a score listing (no breakdown). */
/** A run of the re-scoring ledger, as listed for an epoch. */
export interface RunSummary {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  readonly version: string;
  readonly device: string | null;
  readonly requestedBy: string;
  readonly reason: string;
  readonly requestedAt: string;
  readonly finishedAt: string | null;
  readonly devicesScored: number | null;
  readonly digest: string | null;
  readonly error: string | null;
}

const MS = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8`;
/** Orders algorithm versions numerically in SQL (qod-1.10.0 after qod-1.9.0); other forms last. */
const VERSION_KEY = `string_to_array(substring(version from '(\\d+\\.\\d+\\.\\d+)$'), '.')::int[]`;
const ts = (ms: number): string => new Date(ms).toISOString();

/** The read side of the scoring API: look-ups over the registry, scores, runs and readings tables. */
export class QualityRepository {
  constructor(private readonly pool: pg.Pool) {}

  async device(id: string): Promise<DeviceRecord | undefined> {
    const { rows } = await this.pool.query<{
      device_id: string;
      kind: string;
      owner_wallet: string | null;
      status: string;
    }>(`SELECT device_id, kind, owner_wallet, status FROM devices WHERE device_id = $1`, [id]);
    const row = rows[0];
    if (!row || !isHardwareKind(row.kind)) {
      return undefined;
    }
    return { device: row.device_id, kind: row.kind, ownerWallet: row.owner_wallet, status: row.status };
  }

  /** Start of the newest epoch of the calendar the device has a score for. */
  async latestEpochStart(device: string, calendar: EpochCalendar): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ start_ms: number | null }>(
      `SELECT max(${MS('epoch_start')}) AS start_ms FROM device_epoch_scores
        WHERE device_id = $1 AND ${alignedWindow('$2', '$3')}`,
      [device, calendar.durationMs, calendar.genesisMs],
    );
    return rows[0]?.start_ms ?? undefined;
  }

  /** Every version a device's epoch was scored with, newest first. */
  async versions(
    device: string,
    start: number,
    end: number,
  ): Promise<{ version: string; quality: number; scoredAt: string }[]> {
    const { rows } = await this.pool.query<{ version: string; quality: number; scored_at: Date }>(
      `SELECT version, quality, scored_at FROM device_epoch_scores
        WHERE device_id = $1 AND epoch_start = $2 AND epoch_end = $3 ORDER BY ${VERSION_KEY} DESC NULLS LAST, version`,
      [device, ts(start), ts(end)],
    );
    return rows.map((r) => ({ version: r.version, quality: r.quality, scoredAt: r.scored_at.toISOString() }));
  }

  /** The newest version anything of this epoch (or of one device in it) was scored with. */
  async newestVersion(start: number, end: number, device?: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ version: string }>(
      `SELECT DISTINCT version FROM device_epoch_scores
        WHERE epoch_start = $1 AND epoch_end = $2 ${device ? 'AND device_id = $3' : ''}`,
      device ? [ts(start), ts(end), device] : [ts(start), ts(end)],
    );
    const versions = rows.map((r) => r.version).filter(isAlgorithmVersion);
    return versions.sort(compareVersions).at(-1);
  }

  /** A device's scores of the calendar's epochs, newest epoch first, each with its newest version. */
  async history(
    device: string,
    calendar: EpochCalendar,
    options: { limit: number; before?: number },
  ): Promise<ScoreSummary[]> {
    const params: unknown[] = [device, calendar.durationMs, calendar.genesisMs, options.limit];
    if (options.before !== undefined) {
      params.push(ts(options.before));
    }
    const { rows } = await this.pool.query<ScoreSummaryRow>(
      `SELECT * FROM (
         SELECT DISTINCT ON (epoch_start) ${SCORE_SUMMARY_COLUMNS} FROM device_epoch_scores
          WHERE device_id = $1 AND ${alignedWindow('$2', '$3')} ${options.before === undefined ? '' : 'AND epoch_start < $5'}
          ORDER BY epoch_start DESC, ${VERSION_KEY} DESC NULLS LAST
       ) s ORDER BY start_ms DESC LIMIT $4`,
      params,
    );
    return rows.map(scoreSummaryFromRow);
  }

  /** Scores of one epoch window by device id (after `after`): one version, or each device's newest. */
  async epochPage(
    start: number,
    end: number,
    options: { version?: string; limit: number; after?: string },
  ): Promise<ScoreSummary[]> {
    const params: unknown[] = [ts(start), ts(end), options.limit, options.after ?? ''];
    if (options.version) {
      params.push(options.version);
    }
    const { rows } = await this.pool.query<ScoreSummaryRow>(
      `SELECT DISTINCT ON (device_id) ${SCORE_SUMMARY_COLUMNS} FROM device_epoch_scores
        WHERE epoch_start = $1 AND epoch_end = $2 AND device_id > $4 ${options.version ? 'AND version = $5' : ''}
        ORDER BY device_id, ${VERSION_KEY} DESC NULLS LAST
        LIMIT $3`,
      params,
    );
    return rows.map(scoreSummaryFromRow);
  }

  /** The runs that scored an epoch window (whole or one device), oldest first. */
  async runs(start: number, end: number, device?: string): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT id, kind, status, version, device_id, requested_by, reason, requested_at, finished_at, devices_scored,
              digest, error
         FROM rescoring_runs
        WHERE epoch_start = $1 AND epoch_end = $2 ${device ? 'AND (device_id = $3 OR device_id IS NULL)' : ''}
        ORDER BY id`,
      device ? [ts(start), ts(end), device] : [ts(start), ts(end)],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as string,
      status: r.status as string,
      version: r.version as string,
      device: r.device_id as string | null,
      requestedBy: r.requested_by as string,
      reason: r.reason as string,
      requestedAt: (r.requested_at as Date).toISOString(),
      finishedAt: r.finished_at === null ? null : (r.finished_at as Date).toISOString(),
      devicesScored: r.devices_scored as number | null,
      digest: r.digest as string | null,
      error: r.error as string | null,
    }));
  }

  /** The stored readings of a device with these (seq, ts), by `seq:ts`: position and non-null metrics. */
  async readings(
    kind: HardwareKind,
    device: string,
    wanted: readonly { seq: number; ts: number }[],
  ): Promise<Map<string, ReadingValues>> {
    const out = new Map<string, ReadingValues>();
    if (wanted.length === 0) {
      return out;
    }
    const metrics = metricsOf(kind).map((m) => m.name);
    const times = wanted.map((w) => w.ts);
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT seq::float8 AS seq, ${MS('ts')} AS ts_ms, received_at, lat, lon, ${metrics.join(', ')}
         FROM readings_${kind}
        WHERE device_id = $1 AND seq = ANY($2::bigint[]) AND ts >= $3 AND ts <= $4`,
      [device, wanted.map((w) => w.seq), ts(Math.min(...times)), ts(Math.max(...times))],
    );
    const keys = new Set(wanted.map((w) => exampleKey(w.seq, w.ts)));
    for (const row of rows) {
      const key = exampleKey(row.seq as number, row.ts_ms as number);
      if (!keys.has(key)) {
        continue;
      }
      const values: Record<string, number> = {};
      for (const name of metrics) {
        if (row[name] !== null) {
          values[name] = row[name] as number;
        }
      }
      out.set(key, {
        received_at: (row.received_at as Date).toISOString(),
        ...(row.lat !== null && row.lon !== null
          ? { location: { lat: row.lat as number, lon: row.lon as number } }
          : {}),
        values,
      });
    }
    return out;
  }
}

/** SQL condition: the row's window is one of the calendar's epochs ($duration ms, from $genesis ms). */
function alignedWindow(duration: string, genesis: string): string {
  const start = `round(extract(epoch FROM epoch_start) * 1000)`;
  return `${MS('epoch_end')} - ${MS('epoch_start')} = ${duration}::float8 AND ${start} >= ${genesis}::float8
    AND mod(${start}::bigint - ${genesis}::bigint, ${duration}::bigint) = 0`;
}
