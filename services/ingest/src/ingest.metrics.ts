import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
const SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000];

/** The ingest's Prometheus metrics, on the process registry (`createMetricsRegistry()` of service-kit). */
export class IngestMetrics {
  readonly messagesReceived: Counter;
  readonly readingsReceived: Counter;
  readonly readingsAccepted: Counter<'kind'>;
  readonly rejected: Counter<'reason'>;
  readonly duplicates: Counter;
  readonly seqGaps: Counter;
  readonly batchReadings: Histogram;
  readonly batchMessages: Histogram;
  readonly commitSeconds: Histogram;
  readonly lagSeconds: Histogram;
  readonly verifySeconds: Histogram;
  readonly writeRetries: Counter;
  readonly inFlightMessages: Gauge;
  readonly paused: Gauge;
  readonly pauses: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.messagesReceived = new Counter({
      name: 'gt_ingest_messages_received_total',
      help: 'MQTT messages received on the readings topics',
      registers,
    });
    this.readingsReceived = new Counter({
      name: 'gt_ingest_readings_received_total',
      help: 'Readings in decoded envelopes (a batch envelope counts each of its readings)',
      registers,
    });
    this.readingsAccepted = new Counter({
      name: 'gt_ingest_readings_accepted_total',
      help: 'Readings committed to storage',
      labelNames: ['kind'],
      registers,
    });
    this.rejected = new Counter({
      name: 'gt_ingest_rejected_total',
      help: 'Messages or readings written to quarantine, by reason code',
      labelNames: ['reason'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'gt_ingest_duplicates_total',
      help: 'Redelivered readings already stored with the same body (acknowledged, not stored again)',
      registers,
    });
    this.seqGaps = new Counter({ name: 'gt_ingest_seq_gaps_total', help: 'Seq gaps detected', registers });
    this.batchReadings = new Histogram({
      name: 'gt_ingest_batch_readings',
      help: 'Readings per committed batch',
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.batchMessages = new Histogram({
      name: 'gt_ingest_batch_messages',
      help: 'MQTT messages per committed batch',
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'gt_ingest_commit_seconds',
      help: 'Duration of the write transaction of a batch (BEGIN to COMMIT, including its wait for row locks the batch before it holds)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.lagSeconds = new Histogram({
      name: 'gt_ingest_lag_seconds',
      help: 'End-to-end lag: commit time minus the reading timestamp',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.verifySeconds = new Histogram({
      name: 'gt_ingest_verify_seconds',
      help: 'Time to open one batch: decode, verify the signatures, check and encode its readings',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.writeRetries = new Counter({
      name: 'gt_ingest_write_retries_total',
      help: 'Failed batch writes that were retried (their messages stay unacknowledged meanwhile)',
      registers,
    });
    this.inFlightMessages = new Gauge({
      name: 'gt_ingest_inflight_messages',
      help: 'Messages received and not yet acknowledged',
      registers,
    });
    this.paused = new Gauge({
      name: 'gt_ingest_paused',
      help: '1 while the transport has stopped reading from the broker because the writer is behind',
      registers,
    });
    this.pauses = new Counter({
      name: 'gt_ingest_backpressure_pauses_total',
      help: 'Times the transport stopped reading from the broker',
      registers,
    });
  }
}
