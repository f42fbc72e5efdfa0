import {
  HARDWARE_KINDS,
  type DeviceId,
  type HardwareKind,
  type MerkleTree,
  type ReadingBody,
  type SignatureVerifier,
} from '@groundtruth/protocol';
import { CopyRowWriter, type RowInput } from './copy.encoder.js';
import {
  checkReadingWindow,
  decodeMessage,
  type Decoded,
  type IncomingMessage,
  type TimestampLimits,
} from './envelope.checks.js';
import { IngestError, type IngestErrorContext, type RejectReason } from './ingest.errors.js';
import { ingestQualityFlags } from './quality.flags.js';
import { READING, READING_WIDTH, ReadingTable, RowReading, type StoredReading } from './stored.reading.js';

/**
 * Opening a batch of messages: decode, topic check, signature verification, the per-reading checks that need
 * no registry, quality flags, and each reading's binary COPY row. This is the CPU-heavy part of the ingest;
 * it runs on worker threads (envelope.worker.ts) or inline, with the same code and the same result.
 */

export interface OpenRules extends TimestampLimits {
  /** `ts - received_at` above this sets CLOCK_AHEAD (ms) */
  readonly clockAheadFlagMs: number;
  /** `received_at - ts` above this sets DELAYED (ms) */
  readonly delayedFlagMs: number;
}

/** Signature checks off the event loop (NodeCryptoVerifier: libuv's thread pool, so both cores verify). */
export interface AsyncVerifier {
  verifyAsync(device: DeviceId, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

// The wire form: plain data that crosses threads by structured clone. Every byte lives in one buffer and
// every per-reading number in one table of slots (see READING in stored.reading.ts); both are transferred.

interface WireError {
  readonly code: RejectReason;
  readonly summary: string;
  readonly context: IngestErrorContext;
}

type WireMessage =
  | { readonly ok: false; readonly error: WireError }
  | {
      readonly ok: true;
      readonly device: string;
      readonly type: 'reading' | 'batch';
      readonly verified: boolean;
      /** its readings are slots first .. first + size - 1 */
      readonly first: number;
      readonly size: number;
    };

export interface OpenedWire {
  readonly messages: readonly WireMessage[];
  readonly table: Float64Array;
  /** why a reading was refused, by slot number */
  readonly refusals: readonly { readonly slot: number; readonly error: WireError }[];
  /** rows and refused bodies; its ArrayBuffer belongs to this result alone */
  readonly bytes: Uint8Array;
}

/** One reading of an opened envelope: ready to store, or refused by a check that needs no registry. */
export interface OpenedReading {
  readonly index: number;
  readonly seq: number;
  readonly kind: HardwareKind;
  readonly stored?: StoredReading;
  readonly refused?: { readonly error: IngestError; readonly canonical: Buffer };
}

export type OpenedMessage =
  | { readonly ok: false; readonly error: IngestError }
  | {
      readonly ok: true;
      readonly device: DeviceId;
      readonly type: 'reading' | 'batch';
      readonly size: number;
      /** false also when the signature was not checked (the caller said the device is refused anyway) */
      readonly verified: boolean;
      readonly readings: readonly OpenedReading[];
    };

const wireError = (error: IngestError): WireError => ({
  code: error.code,
  summary: error.summary,
  context: error.context,
});

/** Opens messages on this thread with a synchronous verifier (what a worker thread does). */
export function openMessagesSync(
  messages: readonly IncomingMessage[],
  verify: readonly boolean[],
  rules: OpenRules,
  verifier: SignatureVerifier,
): OpenedWire {
  const decoded = messages.map(decodeMessage);
  const verified = decoded.map((d, m) => {
    if (!d.ok || !verify[m]) {
      return false;
    }
    try {
      return verifier.verify(d.envelope.device, d.envelope.signedMessage, d.envelope.signature);
    } catch {
      return false;
    }
  });
  return encodeOpened(messages, decoded, verified, rules);
}

/** Opens messages with the signatures verified concurrently off the event loop (inline mode). */
export async function openMessages(
  messages: readonly IncomingMessage[],
  verify: readonly boolean[],
  rules: OpenRules,
  verifier: AsyncVerifier,
): Promise<OpenedWire> {
  const decoded = messages.map(decodeMessage);
  const verified = await Promise.all(
    decoded.map((d, m) =>
      d.ok && verify[m]
        ? verifier.verifyAsync(d.envelope.device, d.envelope.signedMessage, d.envelope.signature).catch(() => false)
        : false,
    ),
  );
  return encodeOpened(messages, decoded, verified, rules);
}

const KIND_INDEX = new Map(HARDWARE_KINDS.map((kind, i) => [kind, i]));

function encodeOpened(
  messages: readonly IncomingMessage[],
  decoded: readonly Decoded[],
  verified: readonly boolean[],
  rules: OpenRules,
): OpenedWire {
  let bytes = 0;
  for (const message of messages) {
    bytes += message.payload.length;
  }
  // A row takes about three times its reading's share of the payload (typed columns, signature, root, proof).
  const writer = new CopyRowWriter(Math.ceil(bytes * 3.25) + 4096);
  const table = new ReadingTable();
  const refusals: { slot: number; error: WireError }[] = [];
  const thresholds = { clockAheadMs: rules.clockAheadFlagMs, delayedMs: rules.delayedFlagMs };
  // One input, refilled for every row: an object or two per reading is what the garbage collector pays for.
  const batch: { root: Uint8Array; index: number; size: number } = { root: EMPTY, index: 0, size: 0 };
  const input: RowSlots = {
    body: undefined as unknown as ReadingBody,
    canonical: EMPTY,
    receivedAt: 0,
    sig: EMPTY,
    batch: undefined,
    tree: undefined,
    qflags: 0,
  };
  let slots = 0;
  const out = new Array<WireMessage>(decoded.length);
  for (let m = 0; m < decoded.length; m++) {
    const d = decoded[m]!;
    if (!d.ok) {
      out[m] = { ok: false, error: wireError(d.error) };
      continue;
    }
    const { envelope } = d;
    const receivedAt = messages[m]!.receivedAt;
    const first = slots;
    const size = envelope.readings.length;
    input.receivedAt = receivedAt;
    input.sig = envelope.signature;
    if (envelope.type === 'batch') {
      batch.root = envelope.tree.root;
      batch.size = envelope.tree.size;
      input.batch = batch;
      input.tree = envelope.tree;
    } else {
      input.batch = undefined;
      input.tree = undefined;
    }
    for (let index = 0; index < size; index++) {
      const { body, canonical } = envelope.readings[index]!;
      const slot = table.add();
      slots++;
      const t = table.slots;
      t[slot + READING.seq] = body.seq;
      t[slot + READING.ts] = body.ts;
      t[slot + READING.kind] = KIND_INDEX.get(body.kind)!;
      t[slot + READING.index] = index;
      t[slot + READING.size] = size;
      if (!verified[m]) {
        t[slot + READING.status] = 2;
        continue;
      }
      const refused = checkReadingWindow(body, receivedAt, rules);
      if (refused !== undefined) {
        t[slot + READING.status] = 1;
        t[slot + READING.canonicalAt] = writer.append(canonical);
        t[slot + READING.canonicalLength] = canonical.length;
        refusals.push({ slot: slot / READING_WIDTH, error: wireError(refused) });
        continue;
      }
      const qflags = ingestQualityFlags(body, receivedAt, thresholds);
      t[slot + READING.qflags] = qflags;
      input.body = body;
      input.canonical = canonical;
      input.qflags = qflags;
      batch.index = index;
      writer.row(input, t, slot);
    }
    out[m] = { ok: true, device: envelope.device, type: envelope.type, verified: verified[m]!, first, size };
  }
  return { messages: out, table: table.done(), refusals, bytes: writer.bytes() };
}

const EMPTY = Buffer.alloc(0);

/** A {@link RowInput} whose fields are refilled row after row. */
interface RowSlots extends RowInput {
  body: ReadingBody;
  canonical: Uint8Array;
  receivedAt: number;
  sig: Uint8Array;
  batch: { root: Uint8Array; index: number; size: number } | undefined;
  tree: MerkleTree | undefined;
  qflags: number;
}

/** The opened messages on the consumer's side: byte fields are views into the wire buffer, made on demand. */
export function fromWire(wire: OpenedWire, messages: readonly IncomingMessage[]): OpenedMessage[] {
  const buffer = Buffer.from(wire.bytes.buffer, wire.bytes.byteOffset, wire.bytes.byteLength);
  const { table } = wire;
  const error = (e: WireError) => new IngestError(e.code, e.summary, e.context);
  const refusals = new Map(wire.refusals.map((r) => [r.slot, r.error]));
  return wire.messages.map((message, m): OpenedMessage => {
    if (!message.ok) {
      return { ok: false, error: error(message.error) };
    }
    const receivedAt = messages[m]!.receivedAt;
    const readings: OpenedReading[] = new Array(message.size);
    for (let i = 0; i < message.size; i++) {
      const slot = message.first + i;
      const base = slot * READING_WIDTH;
      switch (table[base + READING.status]) {
        case 0:
          readings[i] = new RowReading(buffer, table, base, message.device, receivedAt);
          break;
        case 1: {
          const at = table[base + READING.canonicalAt]!;
          const canonical = buffer.subarray(at, at + table[base + READING.canonicalLength]!);
          readings[i] = {
            index: i,
            seq: table[base + READING.seq]!,
            kind: HARDWARE_KINDS[table[base + READING.kind]!]!,
            refused: { error: error(refusals.get(slot)!), canonical },
          };
          break;
        }
        default:
          readings[i] = {
            index: i,
            seq: table[base + READING.seq]!,
            kind: HARDWARE_KINDS[table[base + READING.kind]!]!,
          };
      }
    }
    return {
      ok: true,
      device: message.device as DeviceId,
      type: message.type,
      size: message.size,
      verified: message.verified,
      readings,
    };
  });
}
