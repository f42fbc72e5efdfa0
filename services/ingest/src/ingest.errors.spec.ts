import { PROTOCOL_ERROR_CODES } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { INGEST_ERROR_CODES, IngestError, isRejectReason, REJECT_REASONS } from './ingest.errors.js';

describe('reject reasons', () => {
  it('are the protocol codes followed by the ingest codes, each once', () => {
    expect(REJECT_REASONS).toEqual([...PROTOCOL_ERROR_CODES, ...INGEST_ERROR_CODES]);
    expect(new Set(REJECT_REASONS).size).toBe(REJECT_REASONS.length);
  });

  it('keep the ingest codes in their published order (codes are never renumbered)', () => {
    expect(INGEST_ERROR_CODES).toEqual([
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
    ]);
  });

  it('recognise only known codes', () => {
    expect(isRejectReason('BAD_SIGNATURE')).toBe(true);
    expect(isRejectReason('REPLAYED_SEQ')).toBe(true);
    expect(isRejectReason('DUPLICATE')).toBe(false);
    expect(isRejectReason(7)).toBe(false);
  });

  it('IngestError carries its code and context', () => {
    const error = new IngestError('RATE_LIMITED', 'too fast', { device: 'd', seq: 4 });
    expect(error.message).toBe('RATE_LIMITED: too fast');
    expect(error.context).toEqual({ device: 'd', seq: 4 });
  });
});
