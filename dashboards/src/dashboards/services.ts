/**
 * Services: the processes behind the network (CPU, memory, event loop), the work of the registry and the dataset
 * market, and the device bridges that report, from Prometheus. `job` is the scrape job (see
 * provisioning/prometheus.yml).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, prom } from '../common.js';
import { BRIDGE, MARKET, PROCESS, REGISTRY } from '../metrics.js';
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

function bridgeRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Device bridges'))
    .withPanel(
      timeseries({
        title: 'Bridges connected',
        description: 'Bridges that report /metrics, by kind: running, and connected to the broker.',
        span: 8,
        unit: 'short',
        targets: [
          prom(`sum by (kind) (${BRIDGE.running})`, 'running {{kind}}'),
          prom(`sum by (kind) (${BRIDGE.connected})`, 'connected {{kind}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Bridge throughput',
        description:
          'Samples read from the hardware, readings the broker acknowledged, and readings sent again after a reconnect, per second.',
        span: 8,
        unit: 'short',
        targets: [
          prom(`sum by (kind) (${rate(BRIDGE.samplesRead)})`, 'read {{kind}}'),
          prom(`sum by (kind) (${rate(BRIDGE.acked)})`, 'acked {{kind}}'),
          prom(`sum by (kind) (${rate(BRIDGE.republished)})`, 'sent again {{kind}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Bridge backlog',
        description: 'The ten bridges with the most readings on disk waiting for an acknowledgement.',
        span: 8,
        unit: 'short',
        targets: [prom(`topk(10, max by (device) (${BRIDGE.backlog}))`, '{{device}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Bridge rejects and losses',
        description:
          'Samples the bridges skipped by reason; readings evicted unsent at the disk bound or refused by the broker; queues that cannot write to disk (their readings are not durable).',
        span: 24,
        unit: 'short',
        targets: [
          prom(`sum by (reason) (increase(${BRIDGE.samplesRejected}${R}))`, 'rejected {{reason}}'),
          prom(`sum by (kind) (increase(${BRIDGE.evicted}${R}))`, 'evicted {{kind}}'),
          prom(`sum by (reason) (increase(${BRIDGE.refused}${R}))`, 'refused {{reason}}'),
          prom(`sum(${BRIDGE.queueFailing})`, 'queues failing'),
        ],
      }),
    );
}

export function services(): DashboardBuilder {
  const b = dashboard({
    uid: SERVICES_UID,
    title: 'GroundTruth · Services',
    description: 'Process metrics of every service; registry and dataset-market activity; device bridges.',
    tags: ['services'],
  });
  return bridgeRow(marketRow(registryRow(processRow(b))));
}
