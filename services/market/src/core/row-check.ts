import {
  batchSigningMessage,
  rootFromInclusionProof,
  validateReadingBody,
  type DeviceId,
  type HardwareKind,
  type ReadingBody,
  type SignatureVerifier,
} from '@groundtruth/protocol';
import type { ExportRow, RowCodec } from './export-row.js';
import { fastLeafHash } from './fast-hash.js';

/** Why one row of an export fails verification (stable codes, reported with the row's line number). */
export const ROW_FAILURES = ['MALFORMED_ROW', 'CONTENT_MISMATCH', 'BAD_PROOF', 'BAD_SIGNATURE'] as const;
export type RowFailureCode = (typeof ROW_FAILURES)[number];

export interface RowFailure {
  readonly code: RowFailureCode;
  readonly detail: string;
}

/** The one ed25519 verification a row still needs once its content and proof hold. */
export interface SignatureCheck {
  readonly device: DeviceId;
  readonly message: Buffer;
  readonly signature: Buffer;
  /** set for batch rows: every row of one batch shares this verification */
  readonly batchKey?: string;
}

const same = (a: number | null, b: number | undefined): boolean => (b === undefined ? a === null : a === b);

function contentMismatch(codec: RowCodec, row: ExportRow, body: ReadingBody, kind: HardwareKind): string | undefined {
  if (body.kind !== kind) {
    return `body is a ${body.kind} reading, the export holds ${kind}`;
  }
  if (body.device !== row.device) {
    return 'device differs from the signed body';
  }
  if (body.seq !== row.seq || body.ts !== row.ts) {
    return 'seq or ts differs from the signed body';
  }
  if (!same(row.lat, body.loc?.lat) || !same(row.lon, body.loc?.lon) || !same(row.alt, body.loc?.alt)) {
    return 'location differs from the signed body';
  }
  for (let i = 0; i < codec.metrics.length; i++) {
    const name = codec.metrics[i]!;
    if (!same(row.values[i] ?? null, body.metrics[name])) {
      return `${name} differs from the signed body`;
    }
  }
  return undefined;
}

/**
 * Checks everything about a row except the ed25519 signature: the body is a valid reading of the export's
 * kind whose values match the row's columns, and (batch rows) the audit path leads to the stated root.
 * Returns the failure, or the signature check still to make.
 */
export function prepareRowCheck(codec: RowCodec, row: ExportRow, kind: HardwareKind): RowFailure | SignatureCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.body);
  } catch {
    return { code: 'CONTENT_MISMATCH', detail: 'body is not JSON' };
  }
  const body = validateReadingBody(parsed);
  if (!body.ok) {
    return { code: 'CONTENT_MISMATCH', detail: `body is not a valid reading (${body.error.code})` };
  }
  const mismatch = contentMismatch(codec, row, body.value, kind);
  if (mismatch !== undefined) {
    return { code: 'CONTENT_MISMATCH', detail: mismatch };
  }
  const device = body.value.device;
  const signature = Buffer.from(row.sig, 'base64');
  if (signature.length !== 64) {
    return { code: 'BAD_SIGNATURE', detail: 'sig is not 64 bytes' };
  }
  const batched = row.batchRoot !== null || row.batchIndex !== null || row.batchSize !== null || row.proof !== null;
  if (!batched) {
    return { device, message: Buffer.from(row.body, 'utf8'), signature };
  }
  if (row.batchRoot === null || row.batchIndex === null || row.batchSize === null || row.proof === null) {
    return { code: 'BAD_PROOF', detail: 'a batch row needs batch_root, batch_index, batch_size and proof' };
  }
  const proofBytes = Buffer.from(row.proof, 'base64');
  if (proofBytes.length % 32 !== 0) {
    return { code: 'BAD_PROOF', detail: 'proof is not a list of 32-byte hashes' };
  }
  const path: Buffer[] = [];
  for (let offset = 0; offset < proofBytes.length; offset += 32) {
    path.push(proofBytes.subarray(offset, offset + 32));
  }
  const root = rootFromInclusionProof(fastLeafHash(row.body), row.batchIndex, row.batchSize, path);
  if (root === undefined || root.toString('base64') !== row.batchRoot) {
    return { code: 'BAD_PROOF', detail: 'the audit path does not lead to batch_root' };
  }
  return {
    device,
    message: batchSigningMessage(root),
    signature,
    batchKey: `${device}:${row.batchRoot}:${row.sig}`,
  };
}

export const isRowFailure = (value: RowFailure | SignatureCheck): value is RowFailure => 'code' in value;

/** Full synchronous check of one row (content, proof, signature); undefined when the row is proven. */
export function checkRow(
  codec: RowCodec,
  row: ExportRow,
  kind: HardwareKind,
  verifier: SignatureVerifier,
): RowFailure | undefined {
  const prepared = prepareRowCheck(codec, row, kind);
  if (isRowFailure(prepared)) {
    return prepared;
  }
  return verifier.verify(prepared.device, prepared.message, prepared.signature)
    ? undefined
    : { code: 'BAD_SIGNATURE', detail: 'signature does not verify against the device key' };
}
