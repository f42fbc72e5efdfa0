import { Counter, Histogram, type Registry } from 'prom-client';
import { CHECK_COUNT, CHECKS } from './core/checks.js';
import type { DeviceResult } from './db/hours.repository.js';

/** Prometheus metrics of the scoring job (names start with `gt_scoring_`). */
export class ScoringMetrics {
  readonly jobDuration: Histogram<'operation'>;
  readonly scores: Histogram<'kind' | 'score'>;
  readonly flags: Counter<'check'>;
  readonly readings: Counter<'operation'>;

  constructor(readonly registry: Registry) {
    this.jobDuration = new Histogram({
      name: 'gt_scoring_job_duration_seconds',
      help: 'Duration of a scoring job run',
      labelNames: ['operation'],
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.scores = new Histogram({
      name: 'gt_scoring_epoch_score',
      help: 'Epoch scores given (quality and location), per hardware kind',
      labelNames: ['kind', 'score'],
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1],
      registers: [registry],
    });
    this.flags = new Counter({
      name: 'gt_scoring_flags_total',
      help: 'Readings (or, for hour-level checks, values) flagged, by check',
      labelNames: ['check'],
      registers: [registry],
    });
    this.readings = new Counter({
      name: 'gt_scoring_readings_total',
      help: 'Readings scored',
      labelNames: ['operation'],
      registers: [registry],
    });
  }

  countFlags(results: readonly DeviceResult[]): void {
    const totals = new Array<number>(CHECK_COUNT).fill(0);
    for (const result of results) {
      for (const hour of result.hours) {
        for (let c = 0; c < CHECK_COUNT; c++) {
          totals[c]! += hour.fail[c]!;
        }
      }
    }
    totals.forEach((total, c) => {
      if (total > 0) {
        this.flags.inc({ check: CHECKS[c]!.id }, total);
      }
    });
  }
}
