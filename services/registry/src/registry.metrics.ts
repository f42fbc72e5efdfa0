import { Counter, type Registry } from 'prom-client';

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  // Several registry apps may share one Prometheus registry (embedded mode, tests): reuse what exists.
  const existing = registry.getSingleMetric(name);
  return (existing as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** The registry's Prometheus counters, on the process's registry from `createMetricsRegistry()`. */
export class RegistryMetrics {
  readonly registrations: Counter<'kind' | 'attested'>;
  readonly transfers: Counter<never>;
  readonly statusChanges: Counter<'action'>;
  readonly makers: Counter<never>;
  /** every refused (or failed) request, by route and stable error code */
  readonly refusals: Counter<'route' | 'code'>;

  constructor(readonly registry: Registry) {
    this.registrations = counter(registry, 'gt_registry_registrations_total', 'Devices registered', [
      'kind',
      'attested',
    ]);
    this.transfers = counter(registry, 'gt_registry_transfers_total', 'Device ownership transfers', []);
    this.statusChanges = counter(registry, 'gt_registry_status_changes_total', 'Operator status changes', ['action']);
    this.makers = counter(registry, 'gt_registry_makers_total', 'Maker keys registered', []);
    this.refusals = counter(registry, 'gt_registry_refusals_total', 'Requests refused, by error code', [
      'route',
      'code',
    ]);
  }
}
