import {
  decodeEnvelope,
  encodeSingle,
  generateKeyPair,
  NodeCryptoSigner,
  TweetnaclVerifier,
  verifyDecoded,
} from '@groundtruth/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeFaultInjector, corruptSignature, planBridgeFaults } from './bridge-faults.js';

const keys = generateKeyPair();
const envelope = (seq: number) =>
  Buffer.from(
    encodeSingle(
      {
        v: 1,
        device: keys.deviceId,
        kind: 'weather',
        seq,
        ts: Date.UTC(2026, 0, 1) + seq,
        metrics: { temperature: 20 },
      },
      new NodeCryptoSigner(keys),
    ),
  );
const record = { type: 'single' as const, count: 1, firstSeq: 0, lastSeq: 0 };

describe('bridge faults', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plans are reproducible from the seed and within their documented ranges', () => {
    const plan = planBridgeFaults(['clock_skew', 'cloned_key'], 'seed-1');
    expect(plan).toEqual(planBridgeFaults(['clock_skew', 'cloned_key'], 'seed-1'));
    expect(Math.abs(plan.clockSkewMs!)).toBeGreaterThanOrEqual(10 * 60_000);
    expect(Math.abs(plan.clockSkewMs!)).toBeLessThanOrEqual(6 * 3_600_000);
    expect(plan.clone!.distanceKm).toBeGreaterThanOrEqual(50);
    expect(plan.clone!.distanceKm).toBeLessThanOrEqual(500);
    expect(planBridgeFaults([], 'seed-1')).toEqual({});
  });

  it('a corrupted signature no longer verifies, and the rest of the envelope is unchanged', () => {
    const original = envelope(5);
    const corrupted = corruptSignature(original, 17);
    const decoded = decodeEnvelope(corrupted);
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && verifyDecoded(decoded.value, new TweetnaclVerifier()).ok).toBe(false);
    expect(JSON.parse(corrupted.toString()).body).toEqual(JSON.parse(original.toString()).body);
  });

  it('clock skew shifts every sample by the planned offset', () => {
    const injector = new BridgeFaultInjector(planBridgeFaults(['clock_skew'], 3), 3, () => true);
    const shifted = injector.transformSample({ ts: 1_000_000, metrics: { temperature: 1 } });
    expect(shifted.ts - 1_000_000).toBe(injector.plan.clockSkewMs);
  });

  it('replays older envelopes verbatim, reproducibly, at about the planned rate', () => {
    const run = () => {
      const replayed: Buffer[] = [];
      const injector = new BridgeFaultInjector(
        planBridgeFaults(['replay'], 9),
        9,
        (payload) => (replayed.push(payload), true),
      );
      const sealed: Buffer[] = [];
      for (let seq = 0; seq < 400; seq++) {
        sealed.push(injector.transformPayload(envelope(seq), record));
        vi.runAllTimers();
      }
      return { replayed, sealed, stats: injector.stats };
    };
    const first = run();
    expect(first.stats.replayed).toBeGreaterThan(5);
    expect(first.stats.replayed).toBeLessThan(45);
    for (const payload of first.replayed) {
      expect(first.sealed.some((s) => s.equals(payload))).toBe(true);
    }
    const second = run();
    expect(second.replayed.map((p) => JSON.parse(p.toString()).body.seq)).toEqual(
      first.replayed.map((p) => JSON.parse(p.toString()).body.seq),
    );
  });
});
