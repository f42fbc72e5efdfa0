/**
 * Every Prometheus metric the dashboards and alert rules read, in one place, by the service that exports it.
 * The integration test scrapes the running services' `/metrics` and fails when a name here (or in any PromQL
 * expression of the generated files) is not exported, so a renamed metric cannot silently blank a panel.
 * Histograms are named by family; queries add `_bucket`, `_sum`, `_count`.
 */

export const INGEST = {
  messagesReceived: 'gt_ingest_messages_received_total',
  readingsReceived: 'gt_ingest_readings_received_total',
  /** label `kind` */
  readingsAccepted: 'gt_ingest_readings_accepted_total',
  /** label `reason` (quarantine reason code) */
  rejected: 'gt_ingest_rejected_total',
  duplicates: 'gt_ingest_duplicates_total',
  seqGaps: 'gt_ingest_seq_gaps_total',
  /** histogram: readings per committed batch */
  batchReadings: 'gt_ingest_batch_readings',
  /** histogram: BEGIN..COMMIT of a batch */
  commitSeconds: 'gt_ingest_commit_seconds',
  /** histogram: commit time minus reading timestamp */
  lagSeconds: 'gt_ingest_lag_seconds',
  /** histogram: signature verification of a batch */
  verifySeconds: 'gt_ingest_verify_seconds',
  writeRetries: 'gt_ingest_write_retries_total',
  inflight: 'gt_ingest_inflight_messages',
  paused: 'gt_ingest_paused',
  /** times the transport stopped reading from the broker because the writer was behind */
  pauses: 'gt_ingest_backpressure_pauses_total',
} as const;

export const REGISTRY = {
  /** labels `kind`, `attested` */
  registrations: 'gt_registry_registrations_total',
  transfers: 'gt_registry_transfers_total',
  /** label `action` */
  statusChanges: 'gt_registry_status_changes_total',
  /** labels `route`, `code` */
  refusals: 'gt_registry_refusals_total',
} as const;

export const SCORING = {
  /** histogram, label `operation` (closed_hours, scheduled, rescore, appeal) */
  jobDuration: 'gt_scoring_job_duration_seconds',
  /** histogram of the epoch scores given, labels `kind`, `score` (quality, location) */
  epochScore: 'gt_scoring_epoch_score',
  /** readings (or, for hour-level checks, values) flagged, label `check` */
  flags: 'gt_scoring_flags_total',
  /** label `operation` (closed_hours, epoch) */
  readings: 'gt_scoring_readings_total',
} as const;

export const MARKET = {
  /** label `kind` */
  quotes: 'gt_market_quotes_total',
  /** payment submissions, label `outcome` */
  payments: 'gt_market_payments_total',
  revenue: 'gt_market_revenue_base_units_total',
  /** labels `format`, `outcome` */
  exports: 'gt_market_exports_total',
  /** label `format` */
  exportRows: 'gt_market_export_rows_total',
  /** label `format` */
  exportBytes: 'gt_market_export_bytes_total',
  ownerDownloads: 'gt_market_owner_downloads_total',
  /** labels `route`, `code` */
  refusals: 'gt_market_refusals_total',
} as const;

export const REWARDS = {
  epochsClosed: 'gt_rewards_epochs_closed_total',
  lastClosedEpoch: 'gt_rewards_last_closed_epoch',
  /** gauge of the last closed epoch, label `disposition` (emission, rewarded, held, released, credited, payout) */
  epochBaseUnits: 'gt_rewards_epoch_base_units',
  /** gauge, label `reason` (reward reason code) */
  epochDevices: 'gt_rewards_epoch_devices',
  /** label `outcome` (signed, resigned_expired, resigned_failed, confirmed) */
  payoutTransactions: 'gt_rewards_payout_transactions_total',
  /** labels `code`, `method` */
  rpcErrors: 'gt_rewards_rpc_errors_total',
  /** open credits an epoch close could not pay (malformed source or wallet) */
  unpayableCredits: 'gt_rewards_unpayable_credits_total',
  /** histogram: one runner pass paying an epoch */
  payoutSeconds: 'gt_rewards_payout_seconds',
  /** gauge read from the ledger at scrape time, label `state` */
  payouts: 'gt_rewards_payouts',
} as const;

/**
 * `gt-bridge run` (config `metrics`) and `gt-bridge simulate --metrics-port`: one series per device, labels
 * `device`, `kind` (firmware-bridge/src/core/bridge-metrics.ts). No process metrics: a bridge is a small box.
 */
export const BRIDGE = {
  running: 'gt_bridge_running',
  connected: 'gt_bridge_connected',
  samplesRead: 'gt_bridge_samples_read_total',
  /** label `reason` */
  samplesRejected: 'gt_bridge_samples_rejected_total',
  published: 'gt_bridge_readings_published_total',
  republished: 'gt_bridge_readings_republished_total',
  acked: 'gt_bridge_readings_acked_total',
  evicted: 'gt_bridge_readings_evicted_total',
  /** label `reason` (PUBACK reason code) */
  refused: 'gt_bridge_readings_refused_total',
  backlog: 'gt_bridge_queue_backlog_readings',
  /** 1 while the queue cannot write to disk */
  queueFailing: 'gt_bridge_queue_failing',
} as const;

/** prom-client default metrics, prefixed `gt_` by `createMetricsRegistry()` (service-kit). */
export const PROCESS = {
  cpuSeconds: 'gt_process_cpu_seconds_total',
  residentMemory: 'gt_process_resident_memory_bytes',
  heapUsed: 'gt_nodejs_heap_size_used_bytes',
  eventLoopLagP99: 'gt_nodejs_eventloop_lag_p99_seconds',
  openFds: 'gt_process_open_fds',
} as const;

/** The services whose `/metrics` the test scrapes, with the names each must export. */
export const METRICS_BY_SERVICE = {
  ingest: { ...INGEST, ...PROCESS },
  registry: { ...REGISTRY, ...PROCESS },
  scoring: { ...SCORING, ...PROCESS },
  market: { ...MARKET, ...PROCESS },
  rewards: { ...REWARDS, ...PROCESS },
  bridge: BRIDGE,
} as const;

export type Service = keyof typeof METRICS_BY_SERVICE;

/** Series Prometheus makes itself while scraping (not exported by any service). */
export const SCRAPE_SERIES: readonly string[] = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/** `x_bucket` of a histogram family, for `histogram_quantile`. */
export const bucket = (family: string): string => `${family}_bucket`;
