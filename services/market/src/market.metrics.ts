import { Counter, type Registry } from 'prom-client';

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  // Several market apps may share one Prometheus registry (embedded mode, tests): reuse what exists.
  const existing = registry.getSingleMetric(name);
  return (existing as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** The market's Prometheus counters, on the process's registry from `createMetricsRegistry()`. */
export class MarketMetrics {
  readonly quotes: Counter<'kind'>;
  readonly orders: Counter<'outcome'>;
  readonly revenue: Counter<never>;
  readonly exports: Counter<'format' | 'outcome'>;
  readonly exportRows: Counter<'format'>;
  readonly exportBytes: Counter<'format'>;
  readonly ownerDownloads: Counter<never>;
  /** every refused (or failed) request, by route and stable error code */
  readonly refusals: Counter<'route' | 'code'>;

  constructor(readonly registry: Registry) {
    this.quotes = counter(registry, 'gt_market_quotes_total', 'Signed quotes issued', ['kind']);
    this.orders = counter(registry, 'gt_market_payments_total', 'Payment submissions, by outcome code', ['outcome']);
    this.revenue = counter(
      registry,
      'gt_market_revenue_base_units_total',
      'Reward-token base units received for datasets',
      [],
    );
    this.exports = counter(registry, 'gt_market_exports_total', 'Export jobs finished, by format and outcome', [
      'format',
      'outcome',
    ]);
    this.exportRows = counter(registry, 'gt_market_export_rows_total', 'Rows written to exports', ['format']);
    this.exportBytes = counter(registry, 'gt_market_export_bytes_total', 'Bytes written to exports', ['format']);
    this.ownerDownloads = counter(
      registry,
      'gt_market_owner_downloads_total',
      "Owners' free downloads of their data",
      [],
    );
    this.refusals = counter(registry, 'gt_market_refusals_total', 'Requests refused, by error code', ['route', 'code']);
  }
}
