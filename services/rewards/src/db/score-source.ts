import { isHardwareKind } from '@groundtruth/protocol';
import type { EpochWindow } from '../core/epoch-calendar.js';
import type { EpochScore } from '../core/types.js';
import type { Queryable } from './database.js';

/**
 * Where per-device epoch scores come from. The scoring service writes them (device_epoch_scores); an export
 * directory or a test can supply them as a list.
 */
export interface EpochScoreSource {
  /** Scores of the epoch covering `window` (any order; one per device). */
  scoresFor(window: EpochWindow): Promise<EpochScore[]>;
  /** Whether scoring has finished the epoch, so closing it now will not miss scores (default: yes). */
  ready?(window: EpochWindow): Promise<boolean>;
}

/** Scores held in memory: from an export directory, or rows a caller already has. */
export class StaticEpochScoreSource implements EpochScoreSource {
  constructor(private readonly byEpoch: ReadonlyMap<number, readonly EpochScore[]>) {}

  async scoresFor(window: EpochWindow): Promise<EpochScore[]> {
    return [...(this.byEpoch.get(window.epoch) ?? [])];
  }
}

interface ScoreRow {
  device_id: string;
  kind: string;
  version: string;
  quality: number;
  location_score: number;
  reasons: string[] | null;
}

const VERSION = /^[a-z]+-(\d+)\.(\d+)\.(\d+)$/;

/** Newer algorithm version first: numeric semver triple (`qod-1.10.0` after `qod-1.9.0`), else text order. */
export function compareScoringVersions(a: string, b: string): number {
  const pa = VERSION.exec(a);
  const pb = VERSION.exec(b);
  if (pa && pb) {
    for (let i = 1; i <= 3; i++) {
      const diff = Number(pa[i]) - Number(pb[i]);
      if (diff !== 0) {
        return diff;
      }
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reads the scoring service's `device_epoch_scores` (services/kit/migrations/1732800000000_scoring.sql): the
 * rows of exactly this epoch window, and per device the newest algorithm version (so an upheld appeal counts).
 * The epoch is ready once a scheduled scoring run of the whole window has finished (rescoring_runs).
 */
export class PgEpochScoreSource implements EpochScoreSource {
  constructor(private readonly db: Queryable) {}

  async scoresFor(window: EpochWindow): Promise<EpochScore[]> {
    const { rows } = await this.db.query<ScoreRow>(
      `SELECT device_id, kind, version, quality, location_score, reasons FROM device_epoch_scores
       WHERE epoch_start = to_timestamp($1 / 1000.0) AND epoch_end = to_timestamp($2 / 1000.0)`,
      [window.startsAt, window.endsAt],
    );
    const newest = new Map<string, ScoreRow>();
    for (const row of rows) {
      const seen = newest.get(row.device_id);
      if (!seen || compareScoringVersions(row.version, seen.version) > 0) {
        newest.set(row.device_id, row);
      }
    }
    return [...newest.values()]
      .filter((r) => isHardwareKind(r.kind))
      .map((r) => ({
        device: r.device_id,
        kind: r.kind as EpochScore['kind'],
        quality: Number(r.quality),
        locationScore: Number(r.location_score),
        reasons: r.reasons ?? [],
        algorithmVersion: r.version,
      }));
  }

  async ready(window: EpochWindow): Promise<boolean> {
    const { rows } = await this.db.query<{ done: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM rescoring_runs
         WHERE epoch_start = to_timestamp($1 / 1000.0) AND epoch_end = to_timestamp($2 / 1000.0)
           AND device_id IS NULL AND status = 'done') AS done`,
      [window.startsAt, window.endsAt],
    );
    return rows[0]?.done === true;
  }
}
