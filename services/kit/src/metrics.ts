import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process (or per embedded service set), with process metrics. Services register
 * their own counters on it and expose it on `/metrics`. Metric names start with `gt_`.
 */
export function createMetricsRegistry(defaultLabels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry, prefix: 'gt_' });
  return registry;
}
