import type { DecodedEnvelope, DeviceId } from '@groundtruth/protocol';
import type { Logger } from '@groundtruth/service-kit';
import type { DeviceDirectory } from './device.registry.js';
import {
  checkDevice,
  checkReading,
  decodeMessage,
  quarantineMessage,
  quarantineReading,
  storedReading,
  type IncomingMessage,
  type QuarantineRow,
  type RegisteredDevice,
} from './envelope.checks.js';
import { IngestError } from './ingest.errors.js';
import type { IngestMetrics } from './ingest.metrics.js';
import type { MessageBatch } from './mqtt-batch.consumer.js';
import type { DeviceRateLimiter } from './rate.limiter.js';
import type { ReadingsWriter, WriteCandidate, WriteOutcome, WriteRequest } from './readings.repository.js';

/** Signature checks off the event loop (NodeCryptoVerifier: libuv's thread pool, so both cores verify). */
export interface AsyncVerifier {
  verifyAsync(device: DeviceId, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface IngestRules {
  readonly maxFutureMs: number;
  readonly maxAgeMs: number;
  readonly clockAheadFlagMs: number;
  readonly delayedFlagMs: number;
  readonly quarantinePayloadBytes: number;
}

export interface IngestServiceDeps {
  readonly registry: DeviceDirectory;
  readonly writer: ReadingsWriter;
  readonly verifier: AsyncVerifier;
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

interface Opened {
  readonly message: IncomingMessage;
  readonly envelope: DecodedEnvelope;
}

/**
 * The ingest's work on one batch of messages: decode, check topic and registry, verify signatures, apply the
 * per-device rate limit and per-reading checks, then hand everything to the writer as one transaction.
 * The checks run once per batch even when the write is retried, so a retry charges no rate limit twice.
 */
export class IngestService {
  private readonly prepared = new WeakMap<MessageBatch, WriteRequest>();

  constructor(private readonly deps: IngestServiceDeps) {}

  /** Resolves once the batch is committed; rejects (nothing committed) when the write failed. */
  async process(batch: MessageBatch): Promise<BatchSummary> {
    let request = this.prepared.get(batch);
    if (request === undefined) {
      request = await this.prepare(batch);
      this.prepared.set(batch, request);
    }
    const outcome = await this.deps.writer.write(request);
    this.prepared.delete(batch);
    this.deps.onCommit?.(outcome, batch);
    return this.record(batch, outcome);
  }

  private async prepare(batch: MessageBatch): Promise<WriteRequest> {
    const { rules, metrics } = this.deps;
    const quarantine: QuarantineRow[] = [];
    const reject = (message: IncomingMessage, error: IngestError) =>
      quarantine.push(quarantineMessage(message, error, rules.quarantinePayloadBytes));
    const opened: Opened[] = [];
    let readings = 0;
    for (const message of batch.messages) {
      const decoded = decodeMessage(message);
      if (decoded.ok) {
        opened.push({ message, envelope: decoded.envelope });
        readings += decoded.envelope.readings.length;
      } else {
        reject(message, decoded.error);
      }
    }
    metrics?.messagesReceived.inc(batch.messages.length);
    metrics?.readingsReceived.inc(readings);

    const devices = await this.deps.registry.lookup(opened.map((o) => o.envelope.device));
    const known: { opened: Opened; device: RegisteredDevice }[] = [];
    for (const item of opened) {
      const { envelope } = item;
      const refused = checkDevice(envelope.device, devices.get(envelope.device));
      if (refused === undefined) {
        known.push({ opened: item, device: devices.get(envelope.device)! });
      } else {
        reject(item.message, withSeq(refused, envelope));
      }
    }

    const verified = await this.verify(known.map((k) => k.opened.envelope));
    const candidates: WriteCandidate[] = [];
    const now = Date.now();
    known.forEach(({ opened: { message, envelope }, device }, i) => {
      if (!verified[i]) {
        const detail = 'signature does not verify against the device key';
        reject(
          message,
          withSeq(new IngestError('BAD_SIGNATURE', detail, { device: envelope.device, detail }), envelope),
        );
        return;
      }
      if (!this.deps.limiter.take(envelope.device, envelope.readings.length, now)) {
        const detail = `over the per-device rate limit (${envelope.readings.length} readings refused)`;
        reject(
          message,
          withSeq(new IngestError('RATE_LIMITED', detail, { device: envelope.device, detail }), envelope),
        );
        return;
      }
      envelope.readings.forEach(({ body }, index) => {
        const refused = checkReading(body, device, message.receivedAt, rules);
        if (refused !== undefined) {
          quarantine.push(quarantineReading(message, envelope, index, refused, rules.quarantinePayloadBytes));
          return;
        }
        candidates.push({
          reading: storedReading(envelope, index, message.receivedAt, {
            clockAheadMs: rules.clockAheadFlagMs,
            delayedMs: rules.delayedFlagMs,
          }),
          quarantine: (code, detail) =>
            quarantineReading(
              message,
              envelope,
              index,
              new IngestError(code, detail, { device: body.device, seq: body.seq, detail }),
              rules.quarantinePayloadBytes,
            ),
        });
      });
    });
    return { candidates, quarantine };
  }

  private async verify(envelopes: readonly DecodedEnvelope[]): Promise<boolean[]> {
    const started = performance.now();
    const results = await Promise.all(
      envelopes.map((envelope) =>
        this.deps.verifier.verifyAsync(envelope.device, envelope.signedMessage, envelope.signature).catch(() => false),
      ),
    );
    this.deps.metrics?.verifySeconds.observe((performance.now() - started) / 1000);
    return results;
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
        byKind[reading.body.kind] = (byKind[reading.body.kind] ?? 0) + 1;
        lag.observe((outcome.committedAt - reading.body.ts) / 1000);
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

/** Envelope-level refusals of a single-reading envelope name its seq too. */
function withSeq(error: IngestError, envelope: DecodedEnvelope): IngestError {
  if (envelope.type !== 'reading' || error.context.seq !== undefined) {
    return error;
  }
  return new IngestError(error.code, error.message, { ...error.context, seq: envelope.readings[0]!.body.seq });
}
