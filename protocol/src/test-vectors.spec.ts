import { readFileSync } from 'node:fs';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json.js';
import { decodeEnvelope, openEnvelope, verifyDecoded } from './envelope.js';
import { leafHash, merkleRoot, verifyInclusionProof } from './merkle.js';
import type { ReadingBody } from './reading.js';
import { keyPairFromSeed, NodeCryptoVerifier, TweetnaclVerifier } from './signing.js';

interface Vectors {
  valid: {
    name: string;
    seed_hex: string;
    device: string;
    body: ReadingBody;
    canonical_hex: string;
    sig_b64: string;
    envelope: string;
  }[];
  batches: {
    name: string;
    seed_hex: string;
    device: string;
    bodies: ReadingBody[];
    leaf_hex: string[];
    root_hex: string;
    sig_b64: string;
    proofs: string[][];
    envelope: string;
  }[];
  invalid: { name: string; envelope: string; error: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string) => Buffer.from(s, 'hex');

describe('protocol v1 test vectors', () => {
  it('has the required shape and enough cases', () => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(5);
    expect(vectors.batches.length).toBeGreaterThanOrEqual(3);
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(vectors.valid)('valid: $name', (vector) => {
    it('derives the device id from the seed, the canonical bytes from the body, and verifies with both libraries', () => {
      const keys = keyPairFromSeed(hex(vector.seed_hex));
      expect(keys.deviceId).toBe(vector.device);
      expect(Buffer.from(canonicalize(vector.body), 'utf8').toString('hex')).toBe(vector.canonical_hex);
      const sig = Buffer.from(vector.sig_b64, 'base64');
      // ed25519 is deterministic: tweetnacl (device side) must produce exactly the vector's signature.
      expect(Buffer.from(nacl.sign.detached(hex(vector.canonical_hex), keys.secretKey)).toString('base64')).toBe(
        vector.sig_b64,
      );
      expect(new NodeCryptoVerifier().verify(keys.deviceId, hex(vector.canonical_hex), sig)).toBe(true);
      for (const verifier of [new NodeCryptoVerifier(), new TweetnaclVerifier()]) {
        const opened = openEnvelope(Buffer.from(vector.envelope, 'utf8'), verifier);
        expect(opened.ok).toBe(true);
        if (opened.ok) {
          expect(opened.value.readings[0]!.body).toEqual(vector.body);
          expect(opened.value.readings[0]!.canonical.toString('hex')).toBe(vector.canonical_hex);
        }
      }
    });
  });

  describe.each(vectors.batches)('batch: $name', (vector) => {
    it('reproduces leaves, root, signature and a proof for every reading', () => {
      const keys = keyPairFromSeed(hex(vector.seed_hex));
      const leaves = vector.bodies.map((body) => leafHash(Buffer.from(canonicalize(body), 'utf8')));
      expect(leaves.map((leaf) => leaf.toString('hex'))).toEqual(vector.leaf_hex);
      expect(merkleRoot(leaves).toString('hex')).toBe(vector.root_hex);
      const message = Buffer.concat([Buffer.from('gt:v1:batch:', 'ascii'), hex(vector.root_hex)]);
      expect(Buffer.from(nacl.sign.detached(message, keys.secretKey)).toString('base64')).toBe(vector.sig_b64);
      vector.proofs.forEach((proof, i) => {
        expect(verifyInclusionProof(leaves[i]!, i, leaves.length, proof.map(hex), hex(vector.root_hex))).toBe(true);
      });
      const opened = openEnvelope(Buffer.from(vector.envelope, 'utf8'), new NodeCryptoVerifier());
      expect(opened.ok && opened.value.type === 'batch' && opened.value.tree.root.toString('hex')).toBe(
        vector.root_hex,
      );
    });
  });

  describe.each(vectors.invalid)('invalid: $name', (vector) => {
    it(`yields ${vector.error}`, () => {
      const verifier = new NodeCryptoVerifier();
      const decoded = decodeEnvelope(Buffer.from(vector.envelope, 'utf8'));
      const result = decoded.ok ? verifyDecoded(decoded.value, verifier) : decoded;
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(vector.error);
      }
    });
  });
});
