import {
  decodeEnvelope,
  generateKeyPair,
  MAX_BATCH_ENVELOPE_BYTES,
  NodeCryptoSigner,
  TweetnaclSigner,
  TweetnaclVerifier,
  verifyDecoded,
  type ReadingBody,
} from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { sealBodies } from './envelope-sealer.js';

const keys = generateKeyPair();
const signer = new TweetnaclSigner(keys);
const body = (seq: number, metrics: Record<string, number> = { temperature: 20 + seq / 10 }): ReadingBody => ({
  v: 1,
  device: keys.deviceId,
  kind: 'weather',
  seq,
  ts: Date.UTC(2025, 0, 1) + seq * 1000,
  metrics,
});

describe('sealBodies', () => {
  it('single mode: one verifiable envelope per reading, seq range per record', () => {
    const { records, tooLarge } = sealBodies([body(0), body(1)], signer, 'single');
    expect(tooLarge).toEqual([]);
    expect(records.map((r) => [r.type, r.firstSeq, r.lastSeq, r.count])).toEqual([
      ['single', 0, 0, 1],
      ['single', 1, 1, 1],
    ]);
    for (const record of records) {
      const decoded = decodeEnvelope(record.payload);
      expect(decoded.ok && verifyDecoded(decoded.value, new TweetnaclVerifier()).ok).toBe(true);
    }
  });

  it('batch mode: one signed batch; the node signer gives byte-identical payloads', () => {
    const bodies = Array.from({ length: 50 }, (_, i) => body(i));
    const nacl = sealBodies(bodies, signer, 'batch').records;
    const node = sealBodies(bodies, new NodeCryptoSigner(keys), 'batch').records;
    expect(nacl).toHaveLength(1);
    expect(nacl[0]).toMatchObject({ type: 'batch', firstSeq: 0, lastSeq: 49, count: 50 });
    expect(node[0]!.payload.equals(nacl[0]!.payload)).toBe(true);
    const decoded = decodeEnvelope(nacl[0]!.payload);
    expect(decoded.ok && verifyDecoded(decoded.value, new TweetnaclVerifier()).ok).toBe(true);
  });

  it('splits a batch that would exceed the protocol byte limit into valid halves', () => {
    const names = [
      'temperature',
      'humidity',
      'dew_point',
      'pressure',
      'wind_speed',
      'wind_gust',
      'wind_direction',
      'rain_rate',
      'rain_daily',
      'solar_irradiance',
      'uv_index',
    ];
    const metrics = Object.fromEntries(names.map((name, i) => [name, 1.2345678912345 + i]));
    const loc = { lat: 52.123456789012, lon: 4.123456789012, alt: 12.345678901, hdop: 0.912345678, sats: 11 };
    const bodies = Array.from({ length: 1000 }, (_, i) => ({ ...body(i, metrics), loc }));
    const { records } = sealBodies(bodies, signer, 'batch');
    expect(records.length).toBeGreaterThan(1);
    expect(records.reduce((n, r) => n + r.count, 0)).toBe(1000);
    for (const record of records) {
      expect(record.payload.length).toBeLessThanOrEqual(MAX_BATCH_ENVELOPE_BYTES);
      expect(decodeEnvelope(record.payload).ok).toBe(true);
    }
  });

  it('applies the payload transform (the simulator corrupting a signature) before the record is made', () => {
    const { records } = sealBodies([body(9)], signer, 'single', (payload) =>
      Buffer.from(payload.toString().replace('"sig":"', '"sig":"A')),
    );
    expect(records[0]!.payload.toString()).toContain('"sig":"A');
  });
});
