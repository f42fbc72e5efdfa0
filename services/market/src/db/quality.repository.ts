import type pg from 'pg';
import { MarketError } from '../core/market-error.js';

/**
 * The minimum-quality filter, over the scoring service's `device_epoch_scores`: a reading qualifies when its
 * device's quality score for the epoch holding the reading (latest scoring) reaches the minimum; readings of
 * epochs not scored yet do not. Where the table is missing (an old database), a quality filter is refused with
 * QUALITY_UNAVAILABLE, never ignored.
 */
export class QualityRepository {
  private available: boolean | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async clause(minQuality: number): Promise<string | undefined> {
    if (minQuality <= 0) {
      return undefined;
    }
    if (!Number.isFinite(minQuality) || minQuality > 1) {
      throw new MarketError('BAD_QUERY', 'minQuality lies in [0, 1]', { path: 'minQuality' });
    }
    if (this.available !== true) {
      const { rows } = await this.pool.query<{ present: boolean }>(
        `SELECT to_regclass('device_epoch_scores') IS NOT NULL AS present`,
      );
      this.available = rows[0]!.present;
    }
    if (!this.available) {
      throw new MarketError('QUALITY_UNAVAILABLE', 'no quality scores are stored yet: ask without minQuality');
    }
    // The latest scoring of the device's epoch holding the reading (a re-score or appeal supersedes).
    return (
      '(SELECT s.quality FROM device_epoch_scores s WHERE s.device_id = r.device_id ' +
      'AND s.epoch_start <= r.ts AND r.ts < s.epoch_end ORDER BY s.scored_at DESC LIMIT 1) ' +
      `>= ${String(minQuality)}`
    );
  }
}
