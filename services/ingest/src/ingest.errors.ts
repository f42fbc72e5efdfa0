import { PROTOCOL_ERROR_CODES, type ProtocolErrorCode } from '@groundtruth/protocol';

/**
 * Reasons the ingest refuses a message or a reading after it decoded cleanly. Together with the protocol's
 * decode codes ({@link PROTOCOL_ERROR_CODES}) they are every `quarantine.reason` and every `reason` label of
 * `gt_ingest_rejected_total`. Codes are never renamed, renumbered or reused: add new ones at the end.
 */
export const INGEST_ERROR_CODES = [
  'UNKNOWN_DEVICE',
  'DEVICE_SUSPENDED',
  'DEVICE_REVOKED',
  'TOPIC_DEVICE_MISMATCH',
  'REPLAYED_SEQ',
  'NON_INCREASING_SEQ',
  'TIMESTAMP_IN_FUTURE',
  'TIMESTAMP_TOO_OLD',
  'RATE_LIMITED',
  'KIND_MISMATCH',
] as const;

export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** A quarantine reason: a protocol decode failure or an ingest rejection. */
export type RejectReason = ProtocolErrorCode | IngestErrorCode;

/** Every reason a quarantine row can carry, protocol codes first. */
export const REJECT_REASONS: readonly RejectReason[] = [...PROTOCOL_ERROR_CODES, ...INGEST_ERROR_CODES];

export function isRejectReason(value: unknown): value is RejectReason {
  return typeof value === 'string' && (REJECT_REASONS as readonly string[]).includes(value);
}

/** What a rejection is about: the device (when known), the reading's seq, its index in a batch envelope. */
export interface IngestErrorContext {
  readonly device?: string;
  readonly seq?: number;
  readonly index?: number;
  readonly detail?: string;
}

/** The ingest's domain error: a stable reason code plus context; it becomes one quarantine row. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: RejectReason,
    /** the message without the code */
    readonly summary: string,
    readonly context: IngestErrorContext = {},
  ) {
    super(`${code}: ${summary}`);
  }
}
