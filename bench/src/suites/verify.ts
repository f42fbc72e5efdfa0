import {
  decodeEnvelope,
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoVerifier,
  TweetnaclSigner,
  tweetnaclVerify,
  verifyDecoded,
  type ReadingBody,
} from '@groundtruth/protocol';
import { median, opsPerSecond, type BenchSuite } from '../suite.js';

const RUNS = 5;

function weatherBody(device: ReadingBody['device'], seq: number): ReadingBody {
  return {
    v: 1,
    device,
    kind: 'weather',
    seq,
    ts: Date.UTC(2026, 10, 25, 12, 0, 0) + seq * 60_000,
    loc: { lat: 52.0907, lon: 5.1214, alt: 5 },
    metrics: {
      temperature: 11.3 + (seq % 7) / 10,
      humidity: 81,
      pressure: 101_325,
      wind_speed: 3.4,
      wind_direction: 220,
    },
  };
}

async function medianOf(measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    values.push(await measure());
  }
  return Math.round(median(values));
}

export const verifySuite: BenchSuite = {
  name: 'verify',
  description: 'ed25519 verification: tweetnacl, node:crypto sync, node:crypto on both cores, 50-reading batches',
  async run() {
    const keys = keyPairFromSeed(new Uint8Array(32).fill(7));
    const signer = new TweetnaclSigner(keys);
    const single = Buffer.from(encodeSingle(weatherBody(keys.deviceId, 1), signer));
    const decodedSingle = decodeEnvelope(single);
    if (!decodedSingle.ok) {
      throw decodedSingle.error;
    }
    const { signedMessage, signature } = decodedSingle.value;
    const verifier = new NodeCryptoVerifier();

    const tweetnacl = await medianOf(() =>
      opsPerSecond(() => tweetnaclVerify(keys.publicKey, signedMessage, signature), 1500),
    );
    const nodeSync = await medianOf(() =>
      opsPerSecond(() => verifier.verify(keys.deviceId, signedMessage, signature), 1000),
    );
    const inFlight = 256;
    const nodeParallel = await medianOf(() =>
      opsPerSecond(
        () =>
          Promise.all(
            Array.from({ length: inFlight }, () => verifier.verifyAsync(keys.deviceId, signedMessage, signature)),
          ),
        1000,
        inFlight,
      ),
    );
    const singleEnvelope = await medianOf(() =>
      opsPerSecond(() => {
        const decoded = decodeEnvelope(single);
        if (!decoded.ok || !verifyDecoded(decoded.value, verifier).ok) {
          throw new Error('single envelope failed to verify');
        }
      }, 1000),
    );
    const batch = Buffer.from(
      encodeBatch(
        Array.from({ length: 50 }, (_, i) => weatherBody(keys.deviceId, i + 1)),
        signer,
      ),
    );
    const batch50 = await medianOf(() =>
      opsPerSecond(
        () => {
          const decoded = decodeEnvelope(batch);
          if (!decoded.ok || !verifyDecoded(decoded.value, verifier).ok) {
            throw new Error('batch envelope failed to verify');
          }
        },
        1000,
        50,
      ),
    );
    return {
      figures: {
        'verify.tweetnacl': { value: tweetnacl, unit: 'verifies/s' },
        'verify.node_sync': { value: nodeSync, unit: 'verifies/s' },
        'verify.node_parallel': { value: nodeParallel, unit: 'verifies/s' },
        'verify.single_envelope': { value: singleEnvelope, unit: 'readings/s' },
        'verify.batch50': { value: batch50, unit: 'readings/s' },
      },
      notes: [
        `Ratios measured in this run: node_sync / tweetnacl = ${(nodeSync / tweetnacl).toFixed(1)}× (goal ≥ 100×);`,
        `node_parallel / node_sync = ${(nodeParallel / nodeSync).toFixed(2)}× (goal ≥ 1.6×, ${inFlight} verifications in flight on libuv's pool);`,
        `batch50 / node_sync = ${(batch50 / nodeSync).toFixed(1)}× (goal ≥ 5×).`,
        '',
        '`verify.batch50` and `verify.single_envelope` time the whole network-side path for one envelope: UTF-8 check, JSON',
        'parse, schema validation, RFC 8785 canonicalisation, Merkle tree (batch) and the ed25519 verification.',
      ].join('\n'),
    };
  },
};
