import {
  encodeBatch,
  encodeSingle,
  HARDWARE_KINDS,
  keyPairFromSeed,
  NodeCryptoSigner,
  readingsTopic,
  type HardwareKind,
  type ReadingBody,
  type SignatureVerifier,
} from '@groundtruth/protocol';
import { openMessagesSync, type OpenRules } from './envelope.opener.js';
import type { IncomingMessage } from './envelope.checks.js';

/**
 * A start-up self-test of the envelope path: opens envelopes signed here with a throw-away key (single
 * readings and a 50-reading batch of every kind), a few rounds so the JIT has seen the path before traffic
 * does, and fails the worker's start if any of them does not open cleanly (an opener that refuses valid
 * traffic would otherwise quarantine all of it). The rounds cost about 0.1 s per worker; they did not
 * measurably change the bench's start-up latency, which the first transaction and the broker backlog dominate.
 */

const METRIC: Record<HardwareKind, string> = { weather: 'temperature', vehicle: 'speed', energy: 'power_import' };
const SEED = new Uint8Array(32).fill(7);

function samples(now: number): IncomingMessage[] {
  const signer = new NodeCryptoSigner(keyPairFromSeed(SEED));
  const topic = readingsTopic(signer.deviceId);
  const body = (kind: HardwareKind, seq: number): ReadingBody => ({
    v: 1,
    device: signer.deviceId,
    kind,
    seq,
    ts: now - 1000 + seq,
    loc: { lat: 52.09 + seq / 1e5, lon: 5.12, alt: 5 },
    metrics: { [METRIC[kind]]: 10 + seq / 10 },
  });
  const message = (payload: string): IncomingMessage => ({ topic, payload: Buffer.from(payload), receivedAt: now });
  return HARDWARE_KINDS.flatMap((kind) => [
    ...Array.from({ length: 20 }, (_, seq) => message(encodeSingle(body(kind, seq), signer))),
    message(
      encodeBatch(
        Array.from({ length: 50 }, (_, i) => body(kind, 100 + i)),
        signer,
      ),
    ),
  ]);
}

/** Opens the samples `rounds` times; throws when one is refused (the opener would refuse valid traffic). */
export function warmUpOpener(rules: OpenRules, verifier: SignatureVerifier, rounds = 12): void {
  const messages = samples(Date.now());
  const verify = messages.map(() => true);
  for (let round = 0; round < rounds; round++) {
    const wire = openMessagesSync(messages, verify, rules, verifier);
    const refused = wire.messages.findIndex((m) => !m.ok || !m.verified);
    if (refused >= 0 || wire.refusals.length > 0) {
      const detail = refused >= 0 ? JSON.stringify(wire.messages[refused]) : JSON.stringify(wire.refusals[0]);
      throw new Error(`the envelope self-test refused an envelope signed for it: ${detail}`);
    }
  }
}
