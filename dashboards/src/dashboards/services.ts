/**
 * Services: the processes behind the network (CPU, memory, event loop) and the work of the registry and the
 * dataset market, from Prometheus. `job` is the scrape job (see provisioning/prometheus.yml).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, prom } from '../common.js';
import { MARKET, PROCESS, REGISTRY } from '../metrics.js';
import { timeseries } from '../panels.js';

export const SERVICES_UID = 'gt-services';

const R = '[$__rate_interval]';
const rate = (metric: string) => `rate(${metric}${R})`;

function processRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Processes'))
    .withPanel(
      timeseries({
        title: 'CPU',
        description: 'CPU seconds per second, by scrape job and instance.',
        span: 8,
        unit: 'percentunit',
        targets: [prom(`sum by (job, instance) (${rate(PROCESS.cpuSeconds)})`, '{{job}} {{instance}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Memory',
        description: 'Resident set size and V8 heap in use.',
        span: 8,
        unit: 'bytes',
        targets: [
          prom(`sum by (job, instance) (${PROCESS.residentMemory})`, 'rss {{job}} {{instance}}'),
          prom(`sum by (job, instance) (${PROCESS.heapUsed})`, 'heap {{job}} {{instance}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event loop lag p99',
        description: 'A busy event loop delays acknowledgements and HTTP answers.',
        span: 8,
        unit: 's',
        targets: [prom(`max by (job, instance) (${PROCESS.eventLoopLagP99})`, '{{job}} {{instance}}')],
      }),
    );
}

function registryRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Registry'))
    .withPanel(
      timeseries({
        title: 'Registrations and transfers',
        description: 'Devices registered by kind (attested by a maker or not) and ownership transfers.',
        unit: 'short',
        targets: [
          prom(`sum by (kind, attested) (increase(${REGISTRY.registrations}${R}))`, '{{kind}} attested={{attested}}'),
          prom(`sum(increase(${REGISTRY.transfers}${R}))`, 'transfers'),
          prom(`sum by (action) (increase(${REGISTRY.statusChanges}${R}))`, '{{action}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Registry refusals',
        description: 'Refused requests by route and stable error code.',
        unit: 'short',
        stacked: true,
        targets: [prom(`sum by (route, code) (increase(${REGISTRY.refusals}${R}))`, '{{route}} {{code}}')],
      }),
    );
}

function marketRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Dataset market'))
    .withPanel(
      timeseries({
        title: 'Quotes and orders',
        description: 'Signed quotes by kind; payment submissions by outcome code.',
        span: 8,
        unit: 'short',
        targets: [
          prom(`sum by (kind) (increase(${MARKET.quotes}${R}))`, 'quotes {{kind}}'),
          prom(`sum by (outcome) (increase(${MARKET.payments}${R}))`, 'payments {{outcome}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Exports',
        description: 'Export jobs finished by format and outcome, and owners\u2019 free downloads.',
        span: 8,
        unit: 'short',
        targets: [
          prom(`sum by (format, outcome) (increase(${MARKET.exports}${R}))`, '{{format}} {{outcome}}'),
          prom(`sum(increase(${MARKET.ownerDownloads}${R}))`, 'owner downloads'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Export throughput',
        description: 'Bytes and rows written to exports per second, by format.',
        span: 8,
        unit: 'Bps',
        targets: [
          prom(`sum by (format) (${rate(MARKET.exportBytes)})`, 'bytes {{format}}'),
          prom(`sum by (format) (${rate(MARKET.exportRows)})`, 'rows {{format}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Revenue and refusals',
        description: 'Reward-token base units received for datasets; refused market requests by code.',
        unit: 'short',
        span: 24,
        targets: [
          prom(`sum(increase(${MARKET.revenue}${R}))`, 'revenue (base units)'),
          prom(`sum by (route, code) (increase(${MARKET.refusals}${R}))`, 'refused {{route}} {{code}}'),
        ],
      }),
    );
}

export function services(): DashboardBuilder {
  const b = dashboard({
    uid: SERVICES_UID,
    title: 'GroundTruth · Services',
    description: 'Process metrics of every service; registry and dataset-market activity.',
    tags: ['services'],
  });
  return marketRow(registryRow(processRow(b)));
}
