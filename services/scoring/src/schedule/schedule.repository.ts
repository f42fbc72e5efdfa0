import { withTryAdvisoryLock } from '@groundtruth/service-kit';
import type pg from 'pg';
import type { EpochCalendar } from './epoch-calendar.js';

/** Key of the PostgreSQL advisory lock that admits one scoring runner pass at a time ('gt_scor'). */
export const SCORING_RUNNER_LOCK_KEY = 0x67745f73636f72n;

/** What the runner reads to decide which epochs to score: its own past runs and when the database was set up. */
export class ScheduleRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * The newest epoch of the calendar that a scheduled run has scored completely (a whole-epoch run that finished),
   * or null. Runs of windows that are not this calendar's epochs (another epoch length) do not count.
   */
  async lastScheduledEpoch(calendar: EpochCalendar): Promise<number | null> {
    const { rows } = await this.pool.query<{ start_ms: number | null }>(
      `SELECT max(round(extract(epoch FROM epoch_start) * 1000))::float8 AS start_ms
         FROM rescoring_runs
        WHERE kind = 'scheduled' AND device_id IS NULL AND status = 'done'
          AND round(extract(epoch FROM epoch_end) * 1000) - round(extract(epoch FROM epoch_start) * 1000) = $1
          AND round(extract(epoch FROM epoch_start) * 1000) >= $2
          AND mod(round(extract(epoch FROM epoch_start) * 1000)::bigint - $2::bigint, $1::bigint) = 0`,
      [calendar.durationMs, calendar.genesisMs],
    );
    const start = rows[0]?.start_ms ?? null;
    return start === null ? null : (start - calendar.genesisMs) / calendar.durationMs;
  }

  /** When the schema was first migrated (ms), or undefined when that is not recorded. */
  async databaseSince(): Promise<number | undefined> {
    try {
      const { rows } = await this.pool.query<{ ms: number | null }>(
        `SELECT round(extract(epoch FROM min(run_on)) * 1000)::float8 AS ms FROM pgmigrations`,
      );
      return rows[0]?.ms ?? undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs `work` while holding the runner's session advisory lock on a dedicated connection, or returns undefined
   * at once when another process holds it (the kit's `withTryAdvisoryLock`: the lock dies with the connection, so
   * a crashed runner never blocks the next).
   */
  withRunnerLock<T>(work: () => Promise<T>): Promise<{ value: T } | undefined> {
    return withTryAdvisoryLock(this.pool, SCORING_RUNNER_LOCK_KEY, work);
  }
}
