/**
 * @groundtruth/dashboards: Grafana dashboards, alert rules and provisioning as code
 * (@grafana/grafana-foundation-sdk), and the tools that check them (SQL macro expansion, PromQL metric names).
 */
export * from './alerts.js';
export * from './common.js';
export * from './generate.js';
export * from './metrics.js';
export * from './promql-names.js';
export * from './provisioning.js';
export * from './sql-macros.js';
export * from './yaml.js';
