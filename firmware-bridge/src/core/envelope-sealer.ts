import {
  encodeBatch,
  encodeSingle,
  MAX_BATCH_ENVELOPE_BYTES,
  MAX_BATCH_READINGS,
  MAX_SINGLE_ENVELOPE_BYTES,
  type ReadingBody,
  type Signer,
} from '@groundtruth/protocol';
import type { QueueRecord } from './frame-codec.js';

export type EnvelopeMode = 'single' | 'batch';

/** A change applied to a signed payload before it is persisted (the simulator's bad_signature fault). */
export type PayloadTransform = (payload: Buffer, record: Omit<QueueRecord, 'payload'>) => Buffer;

export interface SealResult {
  readonly records: QueueRecord[];
  /** bodies whose single envelope would exceed the protocol's limit (never sent; counted by the caller) */
  readonly tooLarge: ReadingBody[];
}

/**
 * Signs bodies (consecutive seqs of one device) into queue records: one single-reading envelope each, or
 * batch envelopes (split in halves while one would exceed the protocol's byte or count limit).
 */
export function sealBodies(
  bodies: readonly ReadingBody[],
  signer: Signer,
  mode: EnvelopeMode,
  transform?: PayloadTransform,
): SealResult {
  const records: QueueRecord[] = [];
  const tooLarge: ReadingBody[] = [];
  const push = (record: Omit<QueueRecord, 'payload'>, payload: Buffer): void => {
    records.push({ ...record, payload: transform ? transform(payload, record) : payload });
  };
  if (mode === 'single') {
    for (const body of bodies) {
      const payload = Buffer.from(encodeSingle(body, signer), 'utf8');
      if (payload.length > MAX_SINGLE_ENVELOPE_BYTES) {
        tooLarge.push(body);
      } else {
        push({ type: 'single', count: 1, firstSeq: body.seq, lastSeq: body.seq }, payload);
      }
    }
    return { records, tooLarge };
  }
  const sealGroup = (group: readonly ReadingBody[]): void => {
    if (group.length > MAX_BATCH_READINGS) {
      const half = group.length >> 1;
      sealGroup(group.slice(0, half));
      sealGroup(group.slice(half));
      return;
    }
    const payload = Buffer.from(encodeBatch(group, signer), 'utf8');
    if (payload.length > MAX_BATCH_ENVELOPE_BYTES) {
      if (group.length === 1) {
        tooLarge.push(group[0]!);
        return;
      }
      const half = group.length >> 1;
      sealGroup(group.slice(0, half));
      sealGroup(group.slice(half));
      return;
    }
    push(
      { type: 'batch', count: group.length, firstSeq: group[0]!.seq, lastSeq: group[group.length - 1]!.seq },
      payload,
    );
  };
  if (bodies.length > 0) {
    sealGroup(bodies);
  }
  return { records, tooLarge };
}
