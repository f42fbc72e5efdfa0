import type { Logger } from '@groundtruth/service-kit';
import type { DeviceDirectory } from './device.registry.js';
import {
  checkDevice,
  checkKind,
  quarantineMessage,
  quarantineReading,
  type IncomingMessage,
  type QuarantineRow,
  type RegisteredDevice,
} from './envelope.checks.js';
import type { OpenedMessage } from './envelope.opener.js';
import type { EnvelopeOpener } from './envelope.pool.js';
import { IngestError } from './ingest.errors.js';
import type { IngestMetrics } from './ingest.metrics.js';
import type { MessageBatch } from './mqtt-batch.consumer.js';
import type { DeviceRateLimiter } from './rate.limiter.js';
import type { ReadingsWriter, WriteCandidate, WriteOutcome, WriteRequest } from './readings.repository.js';
import type { StoredReading } from './stored.reading.js';

export interface IngestRules {
  readonly quarantinePayloadBytes: number;
}

export interface IngestServiceDeps {
  readonly registry: DeviceDirectory;
  readonly writer: ReadingsWriter;
  /** decodes, verifies and checks messages, inline or on worker threads */
  readonly opener: EnvelopeOpener;
  readonly limiter: DeviceRateLimiter;
  readonly rules: IngestRules;
  readonly logger: Logger;
  readonly metrics?: IngestMetrics;
  /** called after each commit, before the PUBACKs go out (the bench times publish → commit with it) */
  readonly onCommit?: (outcome: WriteOutcome, batch: MessageBatch) => void;
}

/** What one committed batch did, for callers and logs. */
export interface BatchSummary {
  readonly batch: number;
  readonly messages: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly quarantined: Readonly<Record<string, number>>;
  readonly transactionMs: number;
}

/** The device id a topic names, if it looks like one (the opener checks it properly). */
const TOPIC = /^gt\/v1\/([1-9A-HJ-NP-Za-km-z]{32,44})\/readings$/;

/**
 * The ingest's work on one batch of messages: decode, check topic and registry, verify signatures, apply the
 * per-device rate limit and per-reading checks, then hand everything to the writer as one transaction.
 * The checks run once per batch even when the write is retried, so a retry charges no rate limit twice.
 */
export class IngestService {
  private readonly prepared = new WeakMap<MessageBatch, WriteRequest>();
  /** settles once the latest write handed over so far holds its row locks (or has ended) */
  private lastLocked: Promise<void> = Promise.resolve();

  constructor(private readonly deps: IngestServiceDeps) {}

  /**
   * Resolves once the batch is committed; rejects (nothing committed) when the write failed. Batches are
   * prepared concurrently, and their transactions may overlap, but each locks its devices' seq state only
   * after the batch handed over before it has (see WriteTurn), so a device's readings reach the seq state in
   * the order they arrived (otherwise a later batch could commit first and make the earlier one's readings
   * look late). A batch whose write failed is retried behind the ones handed over since.
   */
  async process(batch: MessageBatch): Promise<BatchSummary> {
    const previousLocked = this.lastLocked;
    let locked!: () => void;
    this.lastLocked = new Promise<void>((resolve) => (locked = resolve));
    try {
      let request = this.prepared.get(batch);
      if (request === undefined) {
        request = await this.prepare(batch);
        this.prepared.set(batch, request);
      }
      const outcome = await this.deps.writer.write(request, { previousLocked, locked });
      this.prepared.delete(batch);
      this.deps.onCommit?.(outcome, batch);
      return this.record(batch, outcome);
    } finally {
      // Never ahead of the batch before it, also when preparing failed.
      void previousLocked.then(locked);
    }
  }

  private async prepare(batch: MessageBatch): Promise<WriteRequest> {
    const { rules, metrics } = this.deps;
    const { messages } = batch;
    // The registry first, by topic: signatures of devices it refuses are not worth verifying.
    const topicDevices = messages.map((m) => TOPIC.exec(m.topic)?.[1]);
    const devices = await this.deps.registry.lookup([
      ...new Set(topicDevices.filter((d): d is string => d !== undefined)),
    ]);
    const verify = topicDevices.map((d) => d !== undefined && devices.get(d)?.status === 'active');
    const started = performance.now();
    const opened = await this.deps.opener.open(messages, verify);
    metrics?.verifySeconds.observe((performance.now() - started) / 1000);

    const quarantine: QuarantineRow[] = [];
    const candidates: WriteCandidate[] = [];
    const now = Date.now();
    let readings = 0;
    opened.forEach((envelope, m) => {
      const message = messages[m]!;
      if (!envelope.ok) {
        quarantine.push(quarantineMessage(message, envelope.error, rules.quarantinePayloadBytes));
        return;
      }
      readings += envelope.size;
      const registered = devices.get(envelope.device);
      const refused = this.refuse(envelope, registered, now);
      if (refused !== undefined) {
        quarantine.push(quarantineMessage(message, withSeq(refused, envelope), rules.quarantinePayloadBytes));
        return;
      }
      this.collect(message, envelope, registered!, quarantine, candidates);
    });
    metrics?.messagesReceived.inc(messages.length);
    metrics?.readingsReceived.inc(readings);
    return { candidates, quarantine };
  }

  /** Envelope-level refusals after decoding, in order: registry, signature, rate limit. */
  private refuse(
    envelope: Extract<OpenedMessage, { ok: true }>,
    registered: RegisteredDevice | undefined,
    now: number,
  ): IngestError | undefined {
    const { device } = envelope;
    const refused = checkDevice(device, registered);
    if (refused !== undefined) {
      return refused;
    }
    if (!envelope.verified) {
      const detail = 'signature does not verify against the device key';
      return new IngestError('BAD_SIGNATURE', detail, { device, detail });
    }
    if (!this.deps.limiter.take(device, envelope.size, now)) {
      const detail = `over the per-device rate limit (${envelope.size} readings refused)`;
      return new IngestError('RATE_LIMITED', detail, { device, detail });
    }
    return undefined;
  }

  /** Per-reading refusals go to quarantine alone; the rest become write candidates. */
  private collect(
    message: IncomingMessage,
    envelope: Extract<OpenedMessage, { ok: true }>,
    registered: RegisteredDevice,
    quarantine: QuarantineRow[],
    candidates: WriteCandidate[],
  ): void {
    const maxBytes = this.deps.rules.quarantinePayloadBytes;
    for (const reading of envelope.readings) {
      const { index, stored } = reading;
      if (stored !== undefined && reading.refused === undefined && reading.kind === registered.kind) {
        candidates.push(new QueuedReading(stored, message, envelope, index, maxBytes));
        continue;
      }
      const error =
        checkKind({ device: envelope.device, seq: reading.seq, kind: reading.kind }, registered) ??
        reading.refused?.error;
      if (error !== undefined) {
        const canonical = reading.refused?.canonical ?? stored?.canonical ?? message.payload;
        quarantine.push(quarantineReading(message, envelope, index, canonical, error, maxBytes));
        continue;
      }
      // The opener encodes a row for every reading of a verified envelope that it does not refuse.
      throw new Error(`opened reading ${index} of ${envelope.device} has neither a row nor a refusal`);
    }
  }

  private record(batch: MessageBatch, outcome: WriteOutcome): BatchSummary {
    const { metrics, logger } = this.deps;
    const quarantined: Record<string, number> = {};
    for (const row of outcome.quarantined) {
      quarantined[row.reason] = (quarantined[row.reason] ?? 0) + 1;
    }
    if (metrics) {
      const byKind: Record<string, number> = {};
      const lag = metrics.lagSeconds;
      for (const reading of outcome.accepted) {
        byKind[reading.kind] = (byKind[reading.kind] ?? 0) + 1;
        lag.observe((outcome.committedAt - reading.ts) / 1000);
      }
      for (const [kind, count] of Object.entries(byKind)) {
        metrics.readingsAccepted.inc({ kind }, count);
      }
      for (const [reason, count] of Object.entries(quarantined)) {
        metrics.rejected.inc({ reason }, count);
      }
      metrics.duplicates.inc(outcome.duplicates);
      metrics.seqGaps.inc(outcome.newGaps);
      metrics.batchMessages.observe(batch.messages.length);
      metrics.batchReadings.observe(outcome.accepted.length + outcome.duplicates);
      metrics.commitSeconds.observe(outcome.transactionMs / 1000);
    }
    const summary: BatchSummary = {
      batch: batch.id,
      messages: batch.messages.length,
      accepted: outcome.accepted.length,
      duplicates: outcome.duplicates,
      quarantined,
      transactionMs: Math.round(outcome.transactionMs * 10) / 10,
    };
    if (outcome.quarantined.length > 0) {
      logger.info('ingest_quarantined', {
        ...summary,
        devices: [...new Set(outcome.quarantined.map((row) => row.device).filter(Boolean))].slice(0, 20),
      });
    } else {
      logger.debug('ingest_batch_committed', { ...summary });
    }
    return summary;
  }
}

/** A write candidate: one object per reading (no closure), its quarantine row built only if its seq is refused. */
class QueuedReading implements WriteCandidate {
  constructor(
    readonly reading: StoredReading,
    private readonly message: IncomingMessage,
    private readonly envelope: Extract<OpenedMessage, { ok: true }>,
    private readonly index: number,
    private readonly maxBytes: number,
  ) {}

  quarantine(code: 'REPLAYED_SEQ' | 'NON_INCREASING_SEQ', detail: string): QuarantineRow {
    const { device } = this.envelope;
    const error = new IngestError(code, detail, { device, seq: this.reading.seq, detail });
    return quarantineReading(this.message, this.envelope, this.index, this.reading.canonical, error, this.maxBytes);
  }
}

/** Envelope-level refusals of a single-reading envelope name its seq too. */
function withSeq(error: IngestError, envelope: Extract<OpenedMessage, { ok: true }>): IngestError {
  if (envelope.type !== 'reading' || error.context.seq !== undefined) {
    return error;
  }
  return new IngestError(error.code, error.summary, { ...error.context, seq: envelope.readings[0]!.seq });
}
