import { isUtf8 } from 'node:buffer';

import { isDeviceId, type DeviceId } from './device-id.js';
import { err, ok, ProtocolError, type Result } from './errors.js';
import { inclusionProof, textMerkleTree, type MerkleTree } from './merkle.js';
import {
  canonicalizeReadingBody,
  checkReadingBody,
  PROTOCOL_VERSION,
  validateReadingBody,
  type ReadingBody,
} from './reading.js';
import type { SignatureVerifier, Signer } from './signing.js';

/** Payload limits (bytes on the wire, readings per batch). A larger payload is refused with `TOO_LARGE`. */
export const MAX_SINGLE_ENVELOPE_BYTES = 4 * 1024;
export const MAX_BATCH_ENVELOPE_BYTES = 512 * 1024;
export const MAX_BATCH_READINGS = 1000;

/** What a batch signature covers: this ASCII prefix, then the 32-byte Merkle root. */
export const BATCH_SIGNING_PREFIX = Buffer.from('gt:v1:batch:', 'ascii');

export function batchSigningMessage(root: Uint8Array): Buffer {
  return Buffer.concat([BATCH_SIGNING_PREFIX, root]);
}

export interface SingleEnvelope {
  readonly v: 1;
  readonly type: 'reading';
  readonly body: ReadingBody;
  /** base64 of the 64-byte ed25519 signature over the body's canonical bytes */
  readonly sig: string;
}

export interface BatchEnvelope {
  readonly v: 1;
  readonly type: 'batch';
  readonly device: DeviceId;
  readonly bodies: readonly ReadingBody[];
  /** base64 of the signature over `gt:v1:batch:` ‖ Merkle root of the bodies' canonical bytes */
  readonly sig: string;
}

export type Envelope = SingleEnvelope | BatchEnvelope;

export interface DecodedReading {
  readonly body: ReadingBody;
  /** RFC 8785 bytes of the body: the signed message (single) or the Merkle leaf data (batch) */
  readonly canonical: Buffer;
}

interface DecodedBase {
  readonly device: DeviceId;
  readonly readings: readonly DecodedReading[];
  readonly signature: Buffer;
  /** exactly the bytes the signature covers */
  readonly signedMessage: Buffer;
  readonly byteLength: number;
}
export interface DecodedSingle extends DecodedBase {
  readonly type: 'reading';
}
export interface DecodedBatch extends DecodedBase {
  readonly type: 'batch';
  readonly tree: MerkleTree;
}
export type DecodedEnvelope = DecodedSingle | DecodedBatch;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (code: ProtocolError['code'], message: string, path?: string): Result<never> =>
  err(new ProtocolError(code, message, path === undefined ? {} : { path }));

const BASE64 = /^[A-Za-z0-9+/]{86}==$/;

function decodeSignature(raw: unknown): Result<Buffer> {
  if (typeof raw !== 'string' || !BASE64.test(raw)) {
    return fail('MALFORMED_SIGNATURE', 'sig must be standard base64 of 64 bytes', 'sig');
  }
  return ok(Buffer.from(raw, 'base64'));
}

function checkKeys(raw: Record<string, unknown>, allowed: readonly string[]): Result<true> {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      return fail('SCHEMA', `unknown field "${key}"`, key);
    }
  }
  return ok(true);
}

function parse(bytes: Uint8Array): Result<unknown> {
  if (bytes.length > MAX_BATCH_ENVELOPE_BYTES) {
    return fail('TOO_LARGE', `payload of ${bytes.length} bytes exceeds ${MAX_BATCH_ENVELOPE_BYTES}`);
  }
  if (!isUtf8(bytes)) {
    return fail('MALFORMED_JSON', 'payload is not valid UTF-8');
  }
  try {
    return ok(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
  } catch (error) {
    return fail('MALFORMED_JSON', error instanceof Error ? error.message : 'not JSON');
  }
}

function decodeSingle(raw: Record<string, unknown>, byteLength: number): Result<DecodedSingle> {
  if (byteLength > MAX_SINGLE_ENVELOPE_BYTES) {
    return fail('TOO_LARGE', `single-reading envelope of ${byteLength} bytes exceeds ${MAX_SINGLE_ENVELOPE_BYTES}`);
  }
  const keys = checkKeys(raw, ['v', 'type', 'body', 'sig']);
  if (!keys.ok) {
    return keys;
  }
  const body = validateReadingBody(raw.body, 'body');
  if (!body.ok) {
    return body;
  }
  const signature = decodeSignature(raw.sig);
  if (!signature.ok) {
    return signature;
  }
  const canonical = Buffer.from(canonicalizeReadingBody(body.value), 'utf8');
  return ok({
    type: 'reading',
    device: body.value.device,
    readings: [{ body: body.value, canonical }],
    signature: signature.value,
    signedMessage: canonical,
    byteLength,
  });
}

function decodeBatch(raw: Record<string, unknown>, byteLength: number): Result<DecodedBatch> {
  const keys = checkKeys(raw, ['v', 'type', 'device', 'bodies', 'sig']);
  if (!keys.ok) {
    return keys;
  }
  if (!isDeviceId(raw.device)) {
    return fail('BAD_DEVICE_ID', 'device must be base58 of a 32-byte ed25519 public key', 'device');
  }
  const device = raw.device;
  if (!Array.isArray(raw.bodies)) {
    return fail('SCHEMA', 'bodies must be an array', 'bodies');
  }
  if (raw.bodies.length === 0) {
    return fail('EMPTY_BATCH', 'a batch carries at least one reading', 'bodies');
  }
  if (raw.bodies.length > MAX_BATCH_READINGS) {
    return fail('TOO_MANY_READINGS', `${raw.bodies.length} readings exceed ${MAX_BATCH_READINGS} per batch`, 'bodies');
  }
  const signature = decodeSignature(raw.sig);
  if (!signature.ok) {
    return signature;
  }
  const count = raw.bodies.length;
  const bodies = new Array<ReadingBody>(count);
  const texts = new Array<string>(count);
  let previousSeq = -1;
  for (let i = 0; i < count; i++) {
    const body = checkReadingBody(raw.bodies[i], undefined, i, device);
    if (body instanceof ProtocolError) {
      return err(body);
    }
    if (body.device !== device) {
      return err(
        new ProtocolError('BATCH_DEVICE_MISMATCH', 'every body of a batch belongs to its device', {
          path: `bodies[${i}].device`,
          index: i,
        }),
      );
    }
    if (body.seq <= previousSeq) {
      return err(
        new ProtocolError('BATCH_SEQ_NOT_INCREASING', 'seq must strictly increase within a batch', {
          path: `bodies[${i}].seq`,
          index: i,
        }),
      );
    }
    previousSeq = body.seq;
    bodies[i] = body;
    texts[i] = canonicalizeReadingBody(body);
  }
  const { data, tree } = textMerkleTree(texts);
  const readings = new Array<DecodedReading>(count);
  for (let i = 0; i < count; i++) {
    readings[i] = { body: bodies[i]!, canonical: data[i]! };
  }
  return ok({
    type: 'batch',
    device,
    readings,
    signature: signature.value,
    signedMessage: batchSigningMessage(tree.root),
    tree,
    byteLength,
  });
}

/**
 * Decodes untrusted bytes from the wire into a typed envelope, checking size, JSON, schema and encodings.
 * It does not verify the signature (see {@link verifyDecoded} / {@link openEnvelope}). Never throws.
 */
export function decodeEnvelope(bytes: Uint8Array): Result<DecodedEnvelope> {
  try {
    const parsed = parse(bytes);
    if (!parsed.ok) {
      return parsed;
    }
    const raw = parsed.value;
    if (!isRecord(raw)) {
      return fail('SCHEMA', 'an envelope is a JSON object');
    }
    if (raw.v !== PROTOCOL_VERSION) {
      return typeof raw.v === 'number'
        ? fail('UNSUPPORTED_VERSION', `protocol version ${raw.v} is not supported (this is v1)`, 'v')
        : fail('SCHEMA', 'v must be the number 1', 'v');
    }
    if (raw.type === 'reading') {
      return decodeSingle(raw, bytes.length);
    }
    if (raw.type === 'batch') {
      return decodeBatch(raw, bytes.length);
    }
    return fail('SCHEMA', 'type must be "reading" or "batch"', 'type');
  } catch (error) {
    // Defence in depth: nothing above should throw, but an untrusted payload must never escape as a crash.
    return fail('SCHEMA', `undecodable payload (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function verifyDecoded(decoded: DecodedEnvelope, verifier: SignatureVerifier): Result<DecodedEnvelope> {
  return verifier.verify(decoded.device, decoded.signedMessage, decoded.signature)
    ? ok(decoded)
    : err(
        new ProtocolError('BAD_SIGNATURE', 'signature does not verify against the device key', {
          device: decoded.device,
        }),
      );
}

/** Decode and verify in one step. */
export function openEnvelope(bytes: Uint8Array, verifier: SignatureVerifier): Result<DecodedEnvelope> {
  const decoded = decodeEnvelope(bytes);
  return decoded.ok ? verifyDecoded(decoded.value, verifier) : decoded;
}

/** Builds the wire text of a single signed reading. */
export function encodeSingle(body: ReadingBody, signer: Signer): string {
  const sig = Buffer.from(signer.sign(Buffer.from(canonicalizeReadingBody(body), 'utf8'))).toString('base64');
  const envelope: SingleEnvelope = { v: PROTOCOL_VERSION, type: 'reading', body, sig };
  return JSON.stringify(envelope);
}

/** Builds the wire text of a batch signed once over the Merkle root of its bodies' canonical bytes. */
export function encodeBatch(bodies: readonly ReadingBody[], signer: Signer): string {
  if (bodies.length === 0) {
    throw new ProtocolError('EMPTY_BATCH', 'a batch carries at least one reading');
  }
  const { tree } = textMerkleTree(bodies.map((body) => canonicalizeReadingBody(body)));
  const sig = Buffer.from(signer.sign(batchSigningMessage(tree.root))).toString('base64');
  const envelope: BatchEnvelope = { v: PROTOCOL_VERSION, type: 'batch', device: signer.deviceId, bodies, sig };
  return JSON.stringify(envelope);
}

/** What proves one reading of a batch later, on its own: the batch signature, its root, and the audit path. */
export interface BatchInclusion {
  readonly root: Buffer;
  readonly signature: Buffer;
  readonly index: number;
  readonly size: number;
  readonly proof: readonly Buffer[];
}

export function batchInclusion(decoded: DecodedBatch, index: number): BatchInclusion {
  return {
    root: decoded.tree.root,
    signature: decoded.signature,
    index,
    size: decoded.tree.size,
    proof: inclusionProof(decoded.tree, index),
  };
}
