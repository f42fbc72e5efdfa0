import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json.js';
import { METRIC_CATALOGUE, type HardwareKind } from './catalogue.js';
import {
  batchInclusion,
  decodeEnvelope,
  encodeBatch,
  encodeSingle,
  MAX_BATCH_READINGS,
  openEnvelope,
} from './envelope.js';
import { isProtocolErrorCode, ProtocolError } from './errors.js';
import { checkProvenance } from './provenance.js';
import { canonicalizeReadingBody, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, type ReadingBody } from './reading.js';
import { keyPairFromSeed, NodeCryptoSigner, NodeCryptoVerifier, TweetnaclSigner } from './signing.js';

const keys = keyPairFromSeed(new Uint8Array(32).fill(9));
const verifier = new NodeCryptoVerifier();

const arbitraryBody = (kind: HardwareKind): fc.Arbitrary<ReadingBody> =>
  fc
    .record(
      {
        seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        ts: fc.integer({ min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS - 1 }),
        loc: fc.record(
          {
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lon: fc.double({ min: -180, max: 180, noNaN: true }),
            alt: fc.double({ min: -500, max: 9000, noNaN: true }),
            hdop: fc.double({ min: 0, max: 50, noNaN: true }),
            sats: fc.integer({ min: 0, max: 64 }),
          },
          { requiredKeys: ['lat', 'lon'] },
        ),
        metrics: fc
          .subarray(METRIC_CATALOGUE[kind].map((spec) => spec.name) as string[], { minLength: 1 })
          .chain((names) =>
            fc.tuple(
              ...names.map((name) => fc.tuple(fc.constant(name), fc.double({ noNaN: true, noDefaultInfinity: true }))),
            ),
          ),
      },
      { requiredKeys: ['seq', 'ts', 'metrics'] },
    )
    .map(({ seq, ts, loc, metrics }) => {
      const body: ReadingBody = { v: 1, device: keys.deviceId, kind, seq, ts, metrics: Object.fromEntries(metrics) };
      return loc === undefined ? body : { ...body, loc };
    });

const anyBody = fc.constantFrom<HardwareKind>('weather', 'vehicle', 'energy').chain(arbitraryBody);

describe('envelopes', () => {
  it('round-trips any valid single reading, and tweetnacl and node:crypto sign identically', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const viaNacl = encodeSingle(body, new TweetnaclSigner(keys));
        expect(encodeSingle(body, new NodeCryptoSigner(keys))).toBe(viaNacl);
        const opened = openEnvelope(Buffer.from(viaNacl), verifier);
        expect(opened.ok).toBe(true);
        if (opened.ok) {
          expect(JSON.parse(canonicalize(opened.value.readings[0]!.body))).toEqual(JSON.parse(canonicalize(body)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the fast body serialiser equals generic RFC 8785 for any body', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        expect(
          canonicalizeReadingBody(body),
          JSON.stringify(body, (_k, v: unknown) => (Object.is(v, -0) ? '-0' : v)),
        ).toBe(canonicalize(body));
      }),
      { numRuns: 500 },
    );
  });

  it('gives every reading of a batch a proof that verifies on its own, and a tampered one fails', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBody('weather'), { minLength: 1, maxLength: 40 }), (raw) => {
        const bodies = raw.map((body, i) => ({ ...body, seq: i }));
        const decoded = decodeEnvelope(Buffer.from(encodeBatch(bodies, new TweetnaclSigner(keys))));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok || decoded.value.type !== 'batch') {
          return;
        }
        const batch = decoded.value;
        batch.readings.forEach((reading, i) => {
          const inclusion = batchInclusion(batch, i);
          const proof = { type: 'batch' as const, ...inclusion };
          expect(checkProvenance(keys.deviceId, reading.canonical, proof, verifier)).toBeUndefined();
          const altered = Buffer.from(reading.canonical);
          altered[altered.length - 2]! ^= 1;
          expect(checkProvenance(keys.deviceId, altered, proof, verifier)).toBe('BAD_PROOF');
        });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses more than the batch limit', () => {
    const bodies = Array.from({ length: MAX_BATCH_READINGS + 1 }, (_, i) => ({
      v: 1 as const,
      device: keys.deviceId,
      kind: 'energy' as const,
      seq: i,
      ts: MIN_TIMESTAMP_MS,
      metrics: { power_import: 1 },
    }));
    const decoded = decodeEnvelope(Buffer.from(encodeBatch(bodies, new TweetnaclSigner(keys))));
    expect(!decoded.ok && decoded.error.code).toBe('TOO_MANY_READINGS');
  });

  it('returns a typed error, never throws, for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = decodeEnvelope(bytes);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(ProtocolError);
          expect(isProtocolErrorCode(result.error.code)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a typed error for arbitrary JSON and for mutated valid envelopes', () => {
    const valid = encodeSingle(
      { v: 1, device: keys.deviceId, kind: 'weather', seq: 1, ts: MIN_TIMESTAMP_MS, metrics: { temperature: 1 } },
      new TweetnaclSigner(keys),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc
            .tuple(fc.nat(valid.length - 1), fc.string({ maxLength: 8 }))
            .map(([at, text]) => valid.slice(0, at) + text + valid.slice(at + 1)),
        ),
        (text) => {
          const result = openEnvelope(Buffer.from(text, 'utf8'), verifier);
          expect(result.ok || (result.error instanceof ProtocolError && isProtocolErrorCode(result.error.code))).toBe(
            true,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('treats deeply nested and huge inputs as errors, not crashes', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(decodeEnvelope(Buffer.from(deep)).ok).toBe(false);
    const big = Buffer.alloc(600 * 1024, 0x20);
    const result = decodeEnvelope(big);
    expect(!result.ok && result.error.code).toBe('TOO_LARGE');
    const badUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const bad = decodeEnvelope(badUtf8);
    expect(!bad.ok && bad.error.code).toBe('MALFORMED_JSON');
  });
});
