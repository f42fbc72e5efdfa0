import type pg from 'pg';
import type { EpochScore } from '../core/epoch.js';
import type { Example } from '../core/examples.js';
import type { RewardScore } from '../core/reward-score.js';
import { compareVersions } from '../core/version.js';
import { textArrayLiteral, tsParam, type Queryable } from './sql.js';

/** An epoch score as stored (`device_epoch_scores`). */
/** What every view of an epoch score shows: the figures and reasons, without breakdown and examples. */
export interface ScoreSummary {
  readonly device: string;
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  readonly version: string;
  readonly quality: number;
  readonly locationScore: number;
  readonly availability: number;
  readonly reasons: readonly string[];
  readonly scoredAt: string;
  readonly runId: number | null;
}

export interface StoredScore extends ScoreSummary {
  readonly kind: RewardScore['kind'];
  readonly breakdown: Record<string, unknown>;
  readonly examples: readonly Example[];
}

export type RunKind = 'scheduled' | 'rescore' | 'appeal';

export interface RunRequest {
  readonly kind: RunKind;
  readonly requestedBy: string;
  readonly reason: string;
  readonly device?: string;
  readonly start: number;
  readonly end: number;
  readonly version: string;
  readonly previousVersion?: string;
}

export interface StoredRun extends RunRequest {
  readonly id: number;
  readonly status: 'running' | 'done' | 'failed';
  readonly requestedAt: string;
  readonly finishedAt: string | null;
  readonly devicesScored: number | null;
  readonly digest: string | null;
  readonly error: string | null;
}

/** A `device_epoch_scores` row as {@link SCORE_SUMMARY_COLUMNS} selects it. */
export interface ScoreSummaryRow {
  device_id: string;
  kind: string;
  start_ms: number;
  end_ms: number;
  version: string;
  quality: number;
  location_score: number;
  availability: number;
  reasons: string[];
  scored_at: Date;
  run_id: string | null;
}

interface ScoreRow extends ScoreSummaryRow {
  kind: RewardScore['kind'];
  breakdown: Record<string, unknown>;
  examples: Example[];
}

export const SCORE_SUMMARY_COLUMNS = `device_id, kind, round(extract(epoch FROM epoch_start) * 1000)::float8 AS start_ms,
  round(extract(epoch FROM epoch_end) * 1000)::float8 AS end_ms, version, quality, location_score, availability, reasons,
  scored_at, run_id`;
const SCORE_COLUMNS = `${SCORE_SUMMARY_COLUMNS}, breakdown, examples`;

export const scoreSummaryFromRow = (row: ScoreSummaryRow): ScoreSummary => ({
  device: row.device_id,
  kind: row.kind,
  start: row.start_ms,
  end: row.end_ms,
  version: row.version,
  quality: row.quality,
  locationScore: row.location_score,
  availability: row.availability,
  reasons: row.reasons,
  scoredAt: row.scored_at.toISOString(),
  runId: row.run_id === null ? null : Number(row.run_id),
});

const toStored = (row: ScoreRow): StoredScore => ({
  ...scoreSummaryFromRow(row),
  kind: row.kind,
  breakdown: row.breakdown,
  examples: row.examples,
});

/** Epoch scores, the re-scoring ledger, and what the rewards engine reads. */
export class ScoresRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Replaces the scores of these devices for (epoch, version) (inside the caller's transaction). */
  async replaceScores(
    client: Queryable,
    runId: number,
    scores: readonly { score: EpochScore; examples: readonly Example[] }[],
  ): Promise<void> {
    if (scores.length === 0) {
      return;
    }
    const { start, end, version } = scores[0]!.score;
    await client.query(
      `DELETE FROM device_epoch_scores WHERE epoch_start = $1 AND epoch_end = $2 AND version = $3 AND device_id = ANY($4::text[])`,
      [tsParam(start), tsParam(end), version, scores.map((s) => s.score.device)],
    );
    await client.query(
      `INSERT INTO device_epoch_scores (epoch_start, epoch_end, device_id, version, kind, quality, location_score, availability,
         reasons, breakdown, examples, run_id)
       SELECT $1, $2, d, $3, k, q, l, a, r::text[], b::jsonb, e::jsonb, $4
         FROM unnest($5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::text[])
              AS t(d, k, q, l, a, r, b, e)`,
      [
        tsParam(start),
        tsParam(end),
        version,
        runId,
        scores.map((s) => s.score.device),
        scores.map((s) => s.score.kind),
        scores.map((s) => s.score.quality),
        scores.map((s) => s.score.locationScore),
        scores.map((s) => s.score.availability),
        scores.map((s) => textArrayLiteral(s.score.reasons)),
        scores.map((s) => JSON.stringify(s.score.breakdown)),
        scores.map((s) => JSON.stringify(s.examples)),
      ],
    );
  }

  /** A device's score for the epoch starting at `start`: the given version, else the newest one. */
  async score(device: string, start: number, version?: string): Promise<StoredScore | undefined> {
    const { rows } = await this.pool.query<ScoreRow>(
      `SELECT ${SCORE_COLUMNS} FROM device_epoch_scores
        WHERE device_id = $1 AND epoch_start = $2 ${version ? 'AND version = $3' : ''}`,
      version ? [device, tsParam(start), version] : [device, tsParam(start)],
    );
    return newestPerDevice(rows.map(toStored))[0];
  }

  /** Every device's score for an epoch: one version, or per device the newest version it was scored with. */
  async epochScores(start: number, end: number, options: { version?: string } = {}): Promise<StoredScore[]> {
    const params: unknown[] = [tsParam(start), tsParam(end)];
    if (options.version) {
      params.push(options.version);
    }
    const { rows } = await this.pool.query<ScoreRow>(
      `SELECT ${SCORE_COLUMNS} FROM device_epoch_scores
        WHERE epoch_start = $1 AND epoch_end = $2 ${options.version ? 'AND version = $3' : ''}`,
      params,
    );
    return newestPerDevice(rows.map(toStored));
  }

  /**
   * For the rewards engine: per device of the epoch [start, end) its quality, location score, reasons and the
   * algorithm version, sorted by device id. `version` pins one algorithm version; without it each device's newest
   * score counts (so an upheld appeal is included).
   */
  async rewardScores(start: number, end: number, options: { version?: string } = {}): Promise<RewardScore[]> {
    return (await this.epochScores(start, end, options)).map((s) => ({
      device: s.device,
      kind: s.kind,
      quality: s.quality,
      location_score: s.locationScore,
      reasons: s.reasons,
      algorithm_version: s.version,
    }));
  }

  async startRun(request: RunRequest): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO rescoring_runs (kind, requested_by, reason, device_id, epoch_start, epoch_end, version, previous_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        request.kind,
        request.requestedBy,
        request.reason,
        request.device ?? null,
        tsParam(request.start),
        tsParam(request.end),
        request.version,
        request.previousVersion ?? null,
      ],
    );
    return Number(rows[0]!.id);
  }

  async finishRun(client: Queryable, id: number, outcome: { devicesScored: number; digest: string }): Promise<void> {
    await client.query(
      `UPDATE rescoring_runs SET status = 'done', finished_at = now(), devices_scored = $2, digest = $3 WHERE id = $1`,
      [id, outcome.devicesScored, outcome.digest],
    );
  }

  async failRun(id: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE rescoring_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`,
      [id, error],
    );
  }

  async run(id: number): Promise<StoredRun | undefined> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT id, kind, requested_by, reason, device_id, round(extract(epoch FROM epoch_start) * 1000)::float8 AS start_ms,
              round(extract(epoch FROM epoch_end) * 1000)::float8 AS end_ms, version, previous_version, status, requested_at,
              finished_at, devices_scored, digest, error
         FROM rescoring_runs WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) {
      return undefined;
    }
    return {
      id: Number(row.id),
      kind: row.kind as RunKind,
      requestedBy: row.requested_by as string,
      reason: row.reason as string,
      ...(row.device_id === null ? {} : { device: row.device_id as string }),
      start: row.start_ms as number,
      end: row.end_ms as number,
      version: row.version as string,
      ...(row.previous_version === null ? {} : { previousVersion: row.previous_version as string }),
      status: row.status as StoredRun['status'],
      requestedAt: (row.requested_at as Date).toISOString(),
      finishedAt: row.finished_at === null ? null : (row.finished_at as Date).toISOString(),
      devicesScored: row.devices_scored as number | null,
      digest: row.digest as string | null,
      error: row.error as string | null,
    };
  }

  /** Runs that scored an epoch (optionally for one device), oldest first. */
  async runsFor(start: number, device?: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM rescoring_runs WHERE epoch_start = $1 ${device ? 'AND (device_id = $2 OR device_id IS NULL)' : ''} ORDER BY id`,
      device ? [tsParam(start), device] : [tsParam(start)],
    );
    return rows.map((r) => Number(r.id));
  }
}

function newestPerDevice(scores: readonly StoredScore[]): StoredScore[] {
  const best = new Map<string, StoredScore>();
  for (const s of scores) {
    const current = best.get(s.device);
    if (!current || compareVersions(s.version, current.version) > 0) {
      best.set(s.device, s);
    }
  }
  return [...best.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}
