import {
  checkProvenance,
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoVerifier,
  readingsTopic,
  TweetnaclSigner,
  type ReadingBody,
} from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from './envelope.checks.js';
import { fromWire, openMessages, openMessagesSync, type OpenedMessage, type OpenRules } from './envelope.opener.js';
import { QFLAG } from './quality.flags.js';

const keys = keyPairFromSeed(new Uint8Array(32).fill(3));
const impostor = new TweetnaclSigner(keyPairFromSeed(new Uint8Array(32).fill(4)));
const signer = new TweetnaclSigner(keys);
const T = Date.UTC(2026, 10, 25, 12);
const rules: OpenRules = {
  maxFutureMs: 300_000,
  maxAgeMs: 86_400_000,
  clockAheadFlagMs: 30_000,
  delayedFlagMs: 600_000,
};
const body = (seq: number, extra: Partial<ReadingBody> = {}): ReadingBody => ({
  v: 1,
  device: keys.deviceId,
  kind: 'weather',
  seq,
  ts: T - 1000,
  loc: { lat: 52.09, lon: 5.12 },
  metrics: { temperature: 10 + seq, humidity: 80 },
  ...extra,
});
const msg = (payload: Uint8Array | string): IncomingMessage => ({
  topic: readingsTopic(keys.deviceId),
  payload: Buffer.from(payload),
  receivedAt: T,
});
const verifier = new NodeCryptoVerifier();
const open = (messages: IncomingMessage[], verify = messages.map(() => true)) =>
  fromWire(openMessagesSync(messages, verify, rules, verifier), messages);
const ok = (opened: OpenedMessage) => {
  if (!opened.ok) {
    throw opened.error;
  }
  return opened;
};

describe('opening messages', () => {
  it('keeps what proves a single reading: its signature over the canonical body', () => {
    const [opened] = open([msg(encodeSingle(body(4), signer))]);
    const { device, type, size, verified, readings } = ok(opened!);
    expect({ device, type, size, verified }).toEqual({
      device: keys.deviceId,
      type: 'reading',
      size: 1,
      verified: true,
    });
    const stored = readings[0]!.stored!;
    expect(stored).toMatchObject({ device: keys.deviceId, kind: 'weather', seq: 4, ts: T - 1000, receivedAt: T });
    expect(stored.batch).toBeUndefined();
    expect(checkProvenance(keys.deviceId, stored.canonical, { type: 'single', signature: stored.sig }, verifier)).toBe(
      undefined,
    );
  });

  it('keeps the root, index, size and inclusion proof that prove one reading of a batch alone', () => {
    const [opened] = open([
      msg(
        encodeBatch(
          [1, 2, 3, 4, 5].map((s) => body(s)),
          signer,
        ),
      ),
    ]);
    const stored = ok(opened!).readings[3]!.stored!;
    const batch = stored.batch!;
    expect({ index: batch.index, size: batch.size, proofBytes: batch.proof.length % 32 }).toEqual({
      index: 3,
      size: 5,
      proofBytes: 0,
    });
    const hashes = Array.from({ length: batch.proof.length / 32 }, (_, i) => batch.proof.subarray(i * 32, i * 32 + 32));
    const proof = { type: 'batch' as const, signature: stored.sig, root: batch.root, index: 3, size: 5, proof: hashes };
    expect(checkProvenance(keys.deviceId, stored.canonical, proof, verifier)).toBeUndefined();
    const tampered = Buffer.from(stored.canonical.toString().replace('"temperature":14', '"temperature":15'));
    expect(checkProvenance(keys.deviceId, tampered, proof, verifier)).toBe('BAD_PROOF');
  });

  it('says which signatures do not verify, and checks none it was told to skip', () => {
    const forged = msg(encodeSingle(body(1), impostor));
    const good = msg(encodeSingle(body(2), signer));
    const [bad, skipped, checked] = open([forged, good, good], [true, false, true]);
    expect([ok(bad!).verified, ok(skipped!).verified, ok(checked!).verified]).toEqual([false, false, true]);
    expect(ok(bad!).readings[0]).toEqual({ index: 0, seq: 1, kind: 'weather' });
  });

  it('refuses a reading outside the timestamp window alone, with its canonical body', () => {
    const payload = encodeBatch([body(1), body(2, { ts: T + 3_600_000 }), body(3)], signer);
    const { readings } = ok(open([msg(payload)])[0]!);
    expect(readings.map((r) => r.stored?.seq ?? r.refused?.error.code)).toEqual([1, 'TIMESTAMP_IN_FUTURE', 3]);
    expect(JSON.parse(readings[1]!.refused!.canonical.toString())).toMatchObject({ seq: 2 });
  });

  it('flags delayed readings and out-of-range metrics, and encodes the flags into the row', () => {
    const payload = encodeBatch([body(1, { ts: T - 700_000 }), body(2, { metrics: { temperature: 1000 } })], signer);
    const [delayed, hot] = ok(open([msg(payload)])[0]!).readings.map((r) => r.stored!);
    expect(delayed!.qflags).toBe(QFLAG.DELAYED);
    expect(hot!.qflags).toBe(QFLAG.OUT_OF_RANGE);
    expect(hot!.row.readInt32BE(hot!.row.length - 4)).toBe(QFLAG.OUT_OF_RANGE);
  });

  it('keeps the decode code of what cannot be opened', () => {
    const [opened] = open([msg('{"v":1,')]);
    expect(!opened!.ok && opened!.error.code).toBe('MALFORMED_JSON');
  });

  it('gives the same result on the event loop (async verification) as on a worker (sync)', async () => {
    const messages = [msg(encodeSingle(body(1), signer)), msg(encodeBatch([body(2), body(3)], signer)), msg('x')];
    const verify = [true, true, true];
    const inline = await openMessages(messages, verify, rules, verifier);
    const worker = openMessagesSync(messages, verify, rules, verifier);
    expect(inline.messages).toEqual(worker.messages);
    expect(Buffer.from(inline.bytes)).toEqual(Buffer.from(worker.bytes));
  });
});
