import {
  decodeEnvelope,
  deviceOfReadingsTopic,
  type DecodedEnvelope,
  type HardwareKind,
  type ReadingBody,
} from '@groundtruth/protocol';
import { IngestError, type RejectReason } from './ingest.errors.js';

/** One MQTT message as the transport hands it over. */
export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** when the transport received it (ms) */
  readonly receivedAt: number;
}

export type DeviceStatus = 'active' | 'suspended' | 'revoked';

/** What the ingest needs to know of a registered device. */
export interface RegisteredDevice {
  readonly id: string;
  readonly kind: HardwareKind;
  readonly status: DeviceStatus;
}

/** One row of the `quarantine` table. */
export interface QuarantineRow {
  readonly receivedAt: number;
  readonly reason: RejectReason;
  readonly topic: string;
  readonly device: string | undefined;
  readonly seq: number | undefined;
  readonly detail: string;
  /** the first `maxPayloadBytes` of the payload */
  readonly payload: Buffer;
  /** the full payload size */
  readonly payloadBytes: number;
}

export interface TimestampLimits {
  /** a reading's `ts` may lie at most this far after its receipt (ms) */
  readonly maxFutureMs: number;
  /** and at most this far before it (ms) */
  readonly maxAgeMs: number;
}

/** Largest finite PostgreSQL `real` (float4). */
const MAX_REAL = 3.4028234e38;

export type Decoded =
  { readonly ok: true; readonly envelope: DecodedEnvelope } | { readonly ok: false; readonly error: IngestError };

/**
 * Decodes a message and checks that the envelope's device is the one its topic names (a device may publish
 * only on its own topic). Decode failures keep the protocol's reason code.
 */
export function decodeMessage(message: IncomingMessage): Decoded {
  const topicDevice = deviceOfReadingsTopic(message.topic);
  const decoded = decodeEnvelope(message.payload);
  if (!decoded.ok) {
    const { code, context } = decoded.error;
    const detail = [context.path, decoded.error.message].filter(Boolean).join(': ');
    const device = context.device ?? topicDevice;
    return {
      ok: false,
      error: new IngestError(code, decoded.error.message, {
        ...(device === undefined ? {} : { device }),
        ...(context.index === undefined ? {} : { index: context.index }),
        detail,
      }),
    };
  }
  const envelope = decoded.value;
  if (topicDevice !== envelope.device) {
    const detail = `envelope of ${envelope.device} published on ${message.topic}`;
    return { ok: false, error: new IngestError('TOPIC_DEVICE_MISMATCH', detail, { device: envelope.device, detail }) };
  }
  return { ok: true, envelope };
}

/** Refuses envelopes of devices the registry does not know or has suspended or revoked. */
export function checkDevice(device: string, registered: RegisteredDevice | undefined): IngestError | undefined {
  if (registered === undefined) {
    return new IngestError('UNKNOWN_DEVICE', 'device is not registered', {
      device,
      detail: 'device is not registered',
    });
  }
  switch (registered.status) {
    case 'active':
      return undefined;
    case 'suspended':
      return new IngestError('DEVICE_SUSPENDED', 'device is suspended', { device, detail: 'device is suspended' });
    case 'revoked':
      return new IngestError('DEVICE_REVOKED', 'device is revoked', { device, detail: 'device is revoked' });
  }
}

/** Refuses a reading of another kind than its device was registered with. */
export function checkKind(
  reading: { readonly device: string; readonly seq: number; readonly kind: HardwareKind },
  registered: RegisteredDevice,
): IngestError | undefined {
  if (reading.kind === registered.kind) {
    return undefined;
  }
  const detail = `reading of kind ${reading.kind} from a device registered as ${registered.kind}`;
  return new IngestError('KIND_MISMATCH', detail, { device: reading.device, seq: reading.seq, detail });
}

const readingRefusal = (body: ReadingBody, code: RejectReason, detail: string): IngestError =>
  new IngestError(code, detail, { device: body.device, seq: body.seq, detail });

/** Per-reading checks that need no registry: what storage can hold, and the timestamp window. */
export function checkReadingWindow(
  body: ReadingBody,
  receivedAt: number,
  limits: TimestampLimits,
): IngestError | undefined {
  if (body.loc?.hdop !== undefined && body.loc.hdop > MAX_REAL) {
    // The protocol bounds hdop only below; storage holds it as a 4-byte real, and a value that does not fit
    // would fail the whole batch's transaction on every retry.
    return readingRefusal(body, 'BAD_LOCATION', `loc.hdop ${body.loc.hdop} exceeds what storage holds`);
  }
  if (body.ts - receivedAt > limits.maxFutureMs) {
    const detail = `ts ${new Date(body.ts).toISOString()} is ${body.ts - receivedAt} ms after receipt`;
    return readingRefusal(body, 'TIMESTAMP_IN_FUTURE', detail);
  }
  if (receivedAt - body.ts > limits.maxAgeMs) {
    const detail = `ts ${new Date(body.ts).toISOString()} is ${receivedAt - body.ts} ms before receipt`;
    return readingRefusal(body, 'TIMESTAMP_TOO_OLD', detail);
  }
  return undefined;
}

/** A quarantine row for a whole message: its payload, bounded. */
export function quarantineMessage(
  message: IncomingMessage,
  error: IngestError,
  maxPayloadBytes: number,
): QuarantineRow {
  return quarantineRow(message, error, message.payload, maxPayloadBytes);
}

/**
 * A quarantine row for one reading of an envelope. The payload is the reading's canonical body for a batch
 * envelope (which may be 512 KiB; what was refused is this reading), the message for a single one.
 */
export function quarantineReading(
  message: IncomingMessage,
  envelope: { readonly type: 'reading' | 'batch'; readonly size: number },
  index: number,
  canonical: Buffer,
  error: IngestError,
  maxPayloadBytes: number,
): QuarantineRow {
  const where = envelope.type === 'batch' ? `batch reading ${index + 1} of ${envelope.size}: ` : '';
  const ctx = { ...error.context, detail: where + (error.context.detail ?? error.summary) };
  const scoped = new IngestError(error.code, error.summary, ctx);
  return quarantineRow(message, scoped, envelope.type === 'batch' ? canonical : message.payload, maxPayloadBytes);
}

/** PostgreSQL text cannot hold NUL; bound what untrusted input can make us store. */
function storable(value: string, maxLength: number): string {
  const bounded = value.length > maxLength ? value.slice(0, maxLength) + '…' : value;
  return bounded.includes('\u0000') ? bounded.replaceAll('\u0000', '\uFFFD') : bounded;
}

function quarantineRow(
  message: IncomingMessage,
  error: IngestError,
  payload: Buffer,
  maxPayloadBytes: number,
): QuarantineRow {
  return {
    receivedAt: message.receivedAt,
    reason: error.code,
    topic: storable(message.topic, 1024),
    device: error.context.device,
    seq: error.context.seq,
    detail: storable(error.context.detail ?? error.summary, 1024),
    payload: payload.length > maxPayloadBytes ? payload.subarray(0, maxPayloadBytes) : payload,
    payloadBytes: payload.length,
  };
}
