import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function metric<M>(registry: Registry, name: string, make: () => M): M {
  // An embedding process may build the app twice on one registry (tests): reuse what exists.
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * Prometheus metrics of the scoring service around the job (whose own are in `ScoringMetrics`): the runner's
 * passes and how soon after its grace period an epoch is scored, and the API's refusals and re-scoring runs.
 */
export class ServiceMetrics {
  readonly passes: Counter<'outcome'>;
  readonly lastScoredEpoch: Gauge;
  readonly epochsPending: Gauge;
  readonly scoreDelay: Histogram;
  readonly refusals: Counter<'route' | 'code'>;
  readonly rescores: Counter<'kind' | 'outcome'>;

  constructor(readonly registry: Registry) {
    this.passes = metric(
      registry,
      'gt_scoring_runner_passes_total',
      () =>
        new Counter({
          name: 'gt_scoring_runner_passes_total',
          help: 'Runner passes (closed hours, then due epochs), by outcome: done, failed, busy (another runner)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    );
    this.lastScoredEpoch = metric(
      registry,
      'gt_scoring_last_scored_epoch',
      () =>
        new Gauge({
          name: 'gt_scoring_last_scored_epoch',
          help: 'Newest epoch a scheduled run has scored',
          registers: [registry],
        }),
    );
    this.epochsPending = metric(
      registry,
      'gt_scoring_epochs_pending',
      () =>
        new Gauge({
          name: 'gt_scoring_epochs_pending',
          help: 'Closable epochs not yet scored after the last pass',
          registers: [registry],
        }),
    );
    this.scoreDelay = metric(
      registry,
      'gt_scoring_epoch_score_delay_seconds',
      () =>
        new Histogram({
          name: 'gt_scoring_epoch_score_delay_seconds',
          help: "Time from an epoch's end plus grace to its scheduled scores being committed",
          buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
          registers: [registry],
        }),
    );
    this.refusals = metric(
      registry,
      'gt_scoring_api_refusals_total',
      () =>
        new Counter({
          name: 'gt_scoring_api_refusals_total',
          help: 'API requests refused (or failed), by route and stable error code',
          labelNames: ['route', 'code'],
          registers: [registry],
        }),
    );
    this.rescores = metric(
      registry,
      'gt_scoring_rescores_total',
      () =>
        new Counter({
          name: 'gt_scoring_rescores_total',
          help: 'Re-scorings requested through the API (operator rescore, owner appeal), by outcome',
          labelNames: ['kind', 'outcome'],
          registers: [registry],
        }),
    );
  }
}
