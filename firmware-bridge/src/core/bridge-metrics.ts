import type { BridgeStatus } from './bridge-counters.js';

/** Content type of Prometheus' text exposition format 0.0.4. */
export const BRIDGE_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Kind = 'counter' | 'gauge';
interface Family {
  readonly name: string;
  readonly kind: Kind;
  readonly help: string;
  /** one value per status, or one per reason (then labelled `reason`) */
  readonly value: (status: BridgeStatus) => number | Readonly<Record<string, number>>;
}

const FAMILIES: readonly Family[] = [
  {
    name: 'gt_bridge_running',
    kind: 'gauge',
    help: 'Whether the bridge runs (1) or has stopped (0).',
    value: (s) => +s.running,
  },
  {
    name: 'gt_bridge_connected',
    kind: 'gauge',
    help: 'Whether the MQTT connection to the broker is up (1) or not (0).',
    value: (s) => +s.connected,
  },
  {
    name: 'gt_bridge_start_time_seconds',
    kind: 'gauge',
    help: 'When this bridge process started, in seconds since the Unix epoch.',
    value: (s) => Date.parse(s.startedAt) / 1000,
  },
  {
    name: 'gt_bridge_samples_read_total',
    kind: 'counter',
    help: 'Samples the hardware adapter delivered.',
    value: (s) => s.counters.read,
  },
  {
    name: 'gt_bridge_samples_rejected_total',
    kind: 'counter',
    help: 'Frames and samples skipped, by reason (adapter reasons, body:<protocol code>, too_large).',
    value: (s) => s.counters.rejected,
  },
  {
    name: 'gt_bridge_readings_queued_total',
    kind: 'counter',
    help: 'Readings signed and handed to the durable queue.',
    value: (s) => s.counters.queued,
  },
  {
    name: 'gt_bridge_readings_published_total',
    kind: 'counter',
    help: 'Readings sent to the broker, first attempts.',
    value: (s) => s.counters.published,
  },
  {
    name: 'gt_bridge_readings_republished_total',
    kind: 'counter',
    help: 'Readings sent again after a reconnect or a refused publish.',
    value: (s) => s.counters.republished,
  },
  {
    name: 'gt_bridge_readings_acked_total',
    kind: 'counter',
    help: 'Readings the broker acknowledged.',
    value: (s) => s.counters.acked,
  },
  {
    name: 'gt_bridge_readings_evicted_total',
    kind: 'counter',
    help: 'Readings dropped unsent because the queue reached its disk bound (oldest first).',
    value: (s) => s.counters.evicted,
  },
  {
    name: 'gt_bridge_readings_refused_total',
    kind: 'counter',
    help: 'Readings the broker refused for good, by PUBACK reason code.',
    value: (s) => s.counters.refused,
  },
  {
    name: 'gt_bridge_connects_total',
    kind: 'counter',
    help: 'MQTT connections made.',
    value: (s) => s.counters.connects,
  },
  {
    name: 'gt_bridge_disconnects_total',
    kind: 'counter',
    help: 'MQTT connections lost or closed.',
    value: (s) => s.counters.disconnects,
  },
  {
    name: 'gt_bridge_queue_write_failures_total',
    kind: 'counter',
    help: 'Failed queue writes, fsyncs and cursor updates (each retried; samples are refused meanwhile).',
    value: (s) => s.counters.writeFailures,
  },
  {
    name: 'gt_bridge_queue_backlog_readings',
    kind: 'gauge',
    help: 'Readings waiting on disk for an acknowledgement.',
    value: (s) => s.queue.backlog,
  },
  {
    name: 'gt_bridge_queue_unwritten_readings',
    kind: 'gauge',
    help: 'Accepted readings not on disk yet (group commit, or waiting for a retry after a write failure).',
    value: (s) => s.queue.unwritten,
  },
  {
    name: 'gt_bridge_queue_disk_bytes',
    kind: 'gauge',
    help: 'Bytes the durable queue holds on disk.',
    value: (s) => s.queue.diskBytes,
  },
  {
    name: 'gt_bridge_queue_failing',
    kind: 'gauge',
    help: 'Whether the queue cannot write to disk now (1): readings are then not durable and samples are refused.',
    value: (s) => +(s.queue.failure !== null),
  },
  {
    name: 'gt_bridge_high_seq',
    kind: 'gauge',
    help: 'Highest seq written durably to the queue.',
    value: (s) => s.queue.highSeq,
  },
  {
    name: 'gt_bridge_acked_through_seq',
    kind: 'gauge',
    help: 'Every reading up to this seq is acknowledged (or evicted).',
    value: (s) => s.queue.doneThrough,
  },
];

/** Escapes a label value as the exposition format requires (backslash, double quote, line feed). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function sample(name: string, labels: Readonly<Record<string, string>>, value: number): string {
  const text = Object.entries(labels)
    .map(([key, v]) => `${key}="${escapeLabelValue(v)}"`)
    .join(',');
  return `${name}{${text}} ${Number.isFinite(value) ? String(value) : 'NaN'}`;
}

/**
 * Prometheus text exposition of running bridges, one series per device (labels `device`, `kind`), built from the
 * same {@link BridgeStatus} that `gt-bridge status` shows. Counters carry over restarts as the status file does,
 * so they only ever grow. Empty families are still described. One status per device: two with the same device
 * and kind would be duplicate series, which Prometheus refuses.
 */
export function renderBridgeMetrics(statuses: readonly BridgeStatus[]): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.kind}`);
    for (const status of statuses) {
      const labels = { device: status.device, kind: status.kind };
      const value = family.value(status);
      if (typeof value === 'number') {
        lines.push(sample(family.name, labels, value));
        continue;
      }
      for (const reason of Object.keys(value).sort()) {
        lines.push(sample(family.name, { ...labels, reason }, value[reason]!));
      }
    }
  }
  return lines.join('\n') + '\n';
}
