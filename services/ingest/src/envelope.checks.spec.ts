import {
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  readingsTopic,
  TweetnaclSigner,
  type DeviceId,
  type ReadingBody,
} from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkDevice,
  checkKind,
  checkReadingWindow,
  decodeMessage,
  quarantineMessage,
  quarantineReading,
  type IncomingMessage,
} from './envelope.checks.js';
import { IngestError } from './ingest.errors.js';

const keys = keyPairFromSeed(new Uint8Array(32).fill(1));
const other = keyPairFromSeed(new Uint8Array(32).fill(2));
const signer = new TweetnaclSigner(keys);
const T = Date.UTC(2026, 10, 25, 12);
const body = (seq: number, extra: Partial<ReadingBody> = {}): ReadingBody => ({
  v: 1,
  device: keys.deviceId,
  kind: 'weather',
  seq,
  ts: T,
  metrics: { temperature: 10 + seq },
  ...extra,
});
const msg = (
  payload: string | Buffer,
  device: DeviceId = keys.deviceId,
  topic = readingsTopic(device),
): IncomingMessage => ({
  topic,
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  receivedAt: T,
});
const registered = { id: keys.deviceId, kind: 'weather' as const, status: 'active' as const };
const limits = { maxFutureMs: 300_000, maxAgeMs: 86_400_000 };

describe('decodeMessage', () => {
  it('opens a well-formed envelope published on its own device topic', () => {
    const decoded = decodeMessage(msg(encodeSingle(body(1), signer)));
    expect(decoded.ok && decoded.envelope.readings[0]!.body.seq).toBe(1);
  });

  it('refuses an envelope published on another device topic as TOPIC_DEVICE_MISMATCH', () => {
    const decoded = decodeMessage(msg(encodeSingle(body(1), signer), other.deviceId));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.code).toBe('TOPIC_DEVICE_MISMATCH');
    expect(!decoded.ok && decoded.error.context.device).toBe(keys.deviceId);
  });

  it('refuses a topic that names no device as TOPIC_DEVICE_MISMATCH', () => {
    const decoded = decodeMessage(msg(encodeSingle(body(1), signer), keys.deviceId, 'gt/v1/not-a-key/readings'));
    expect(!decoded.ok && decoded.error.code).toBe('TOPIC_DEVICE_MISMATCH');
  });

  it('keeps the protocol code of undecodable payloads and names the topic device', () => {
    const cases: [string | Buffer, string][] = [
      ['{"v":1,', 'MALFORMED_JSON'],
      [Buffer.from([0xff, 0xfe]), 'MALFORMED_JSON'],
      ['{"v":1,"type":"reading","body":{},"sig":"x"}', 'SCHEMA'],
      [JSON.stringify({ v: 1, type: 'reading', body: body(1), sig: 'A'.repeat(86) + '==', extra: 1 }), 'SCHEMA'],
      [Buffer.alloc(600 * 1024, 0x20), 'TOO_LARGE'],
    ];
    for (const [payload, code] of cases) {
      const decoded = decodeMessage(msg(payload));
      expect(!decoded.ok && decoded.error.code).toBe(code);
      expect(!decoded.ok && decoded.error.context.device).toBe(keys.deviceId);
    }
  });
});

describe('checkDevice', () => {
  it('passes an active device and refuses unknown, suspended and revoked ones with their codes', () => {
    expect(checkDevice(keys.deviceId, registered)).toBeUndefined();
    expect(checkDevice(keys.deviceId, undefined)?.code).toBe('UNKNOWN_DEVICE');
    expect(checkDevice(keys.deviceId, { ...registered, status: 'suspended' })?.code).toBe('DEVICE_SUSPENDED');
    expect(checkDevice(keys.deviceId, { ...registered, status: 'revoked' })?.code).toBe('DEVICE_REVOKED');
  });
});

describe('checkKind', () => {
  it('refuses a reading of another kind than the device was registered with', () => {
    const refused = checkKind({ device: keys.deviceId, seq: 1, kind: 'energy' }, registered);
    expect(refused?.code).toBe('KIND_MISMATCH');
    expect(refused?.context.seq).toBe(1);
    expect(checkKind({ device: keys.deviceId, seq: 1, kind: 'weather' }, registered)).toBeUndefined();
  });
});

describe('checkReadingWindow', () => {
  it('refuses timestamps beyond the window on either side, inclusive bounds allowed', () => {
    expect(checkReadingWindow(body(1, { ts: T + 300_000 }), T, limits)).toBeUndefined();
    expect(checkReadingWindow(body(1, { ts: T + 300_001 }), T, limits)?.code).toBe('TIMESTAMP_IN_FUTURE');
    expect(checkReadingWindow(body(1, { ts: T - 86_400_000 }), T, limits)).toBeUndefined();
    expect(checkReadingWindow(body(1, { ts: T - 86_400_001 }), T, limits)?.code).toBe('TIMESTAMP_TOO_OLD');
  });

  it('refuses an hdop too large for storage instead of failing the batch transaction', () => {
    const refused = checkReadingWindow(body(1, { loc: { lat: 1, lon: 2, hdop: 1e39 } }), T, limits);
    expect(refused?.code).toBe('BAD_LOCATION');
    expect(refused?.context).toMatchObject({ device: keys.deviceId, seq: 1 });
  });
});

describe('quarantine rows', () => {
  it('bound the stored payload and keep its full size', () => {
    const row = quarantineMessage(
      msg(Buffer.alloc(10_000, 0x41)),
      new IngestError('SCHEMA', 'x', { detail: 'bad' }),
      4096,
    );
    expect(row).toMatchObject({ reason: 'SCHEMA', payloadBytes: 10_000, detail: 'bad' });
    expect(row.payload.length).toBe(4096);
  });

  it('store a refused reading of a batch as its own canonical body, with its place in the batch', () => {
    const decoded = decodeMessage(
      msg(
        encodeBatch(
          [1, 2, 3].map((s) => body(s)),
          signer,
        ),
      ),
    );
    if (!decoded.ok) {
      throw decoded.error;
    }
    const error = new IngestError('TIMESTAMP_TOO_OLD', 'old', { device: keys.deviceId, seq: 2, detail: 'old' });
    const canonical = decoded.envelope.readings[1]!.canonical;
    const row = quarantineReading(msg('x'), { type: 'batch', size: 3 }, 1, canonical, error, 4096);
    expect(row).toMatchObject({
      reason: 'TIMESTAMP_TOO_OLD',
      seq: 2,
      device: keys.deviceId,
      detail: 'batch reading 2 of 3: old',
    });
    expect(row.payload.toString()).toBe(decoded.envelope.readings[1]!.canonical.toString());
  });

  it('store a refused single reading as the message it came in', () => {
    const payload = encodeSingle(body(9), signer);
    const error = new IngestError('TIMESTAMP_IN_FUTURE', 'late', { device: keys.deviceId, seq: 9, detail: 'ahead' });
    const row = quarantineReading(
      msg(Buffer.from(payload)),
      { type: 'reading', size: 1 },
      0,
      Buffer.from('x'),
      error,
      4096,
    );
    expect(row).toMatchObject({ reason: 'TIMESTAMP_IN_FUTURE', seq: 9, detail: 'ahead' });
    expect(row.payload).toEqual(Buffer.from(payload));
  });

  it('never carry a NUL character into text columns', () => {
    const row = quarantineMessage(msg('x', keys.deviceId, 'gt/v1/\u0000/readings'), new IngestError('SCHEMA', 'x'), 10);
    expect(row.topic).not.toContain('\u0000');
  });
});
