import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMerkleTree,
  inclusionProof,
  leafHash,
  nodeHash,
  textMerkleTree,
  verifyInclusionProof,
  writeInclusionProof,
} from './merkle.js';

/** RFC 9162 §2.1.1 MTH, written recursively as the RFC states it, to check the level-wise builder. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) {
    return leaves[0]!;
  }
  let k = 1;
  while (k * 2 < leaves.length) {
    k *= 2;
  }
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf-${i}`)));

describe('Merkle tree (RFC 9162)', () => {
  it('separates leaf and node domains', () => {
    const data = Buffer.alloc(64, 1);
    expect(leafHash(data).equals(createHash('sha256').update(data).digest())).toBe(false);
    expect(leafHash(data).equals(nodeHash(data.subarray(0, 32), data.subarray(32)))).toBe(false);
  });

  it('builds the same root as the recursive definition for every size up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      expect(buildMerkleTree(leaves(n)).root.equals(referenceRoot(leaves(n)))).toBe(true);
    }
  });

  it('gives every leaf a proof that verifies, and only for its own index', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 50]) {
      const tree = buildMerkleTree(leaves(n));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(tree, i);
        expect(verifyInclusionProof(tree.levels[0]![i]!, i, n, proof, tree.root)).toBe(true);
        if (n > 1) {
          expect(verifyInclusionProof(tree.levels[0]![i]!, (i + 1) % n, n, proof, tree.root)).toBe(false);
        }
      }
    }
  });

  it('rejects a tampered proof, leaf, size or index without throwing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.nat(), (n, rawIndex, flip) => {
        const tree = buildMerkleTree(leaves(n));
        const index = rawIndex % n;
        const proof = inclusionProof(tree, index).map((p) => Buffer.from(p));
        const leaf = tree.levels[0]![index]!;
        const tampered = proof.map((p, i) =>
          i === flip % proof.length ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p,
        );
        expect(verifyInclusionProof(leaf, index, n, tampered, tree.root)).toBe(false);
        expect(verifyInclusionProof(leafHash(Buffer.from('other')), index, n, proof, tree.root)).toBe(false);
        // The size is not authenticated by an audit path on its own (RFC 9162): a wrong size either fails or
        // recomputes the same signed root, never another one, and never throws.
        const other = verifyInclusionProof(leaf, index, n + 1 + (flip % 7), proof, tree.root);
        expect(typeof other).toBe('boolean');
        expect(verifyInclusionProof(leaf, n + index, n, proof, tree.root)).toBe(false);
      }),
    );
  });

  it('refuses an empty tree', () => {
    expect(() => buildMerkleTree([])).toThrow(RangeError);
    expect(() => textMerkleTree([])).toThrow(RangeError);
  });

  it('builds the same tree from texts as from their leaf hashes, and keeps the texts as UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 40 }), (texts) => {
        const { data, tree } = textMerkleTree(texts);
        const expected = buildMerkleTree(texts.map((t) => leafHash(Buffer.from(t, 'utf8'))));
        expect(data.map((d) => d.toString('hex'))).toEqual(texts.map((t) => Buffer.from(t, 'utf8').toString('hex')));
        expect(tree.root.equals(expected.root)).toBe(true);
        expect(tree.levels.map((level) => level.map((h) => h.toString('hex')))).toEqual(
          expected.levels.map((level) => level.map((h) => h.toString('hex'))),
        );
      }),
    );
  });

  it('writes the same proof bytes as the proof list, for flat and level-wise trees', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 50]) {
      const flat = buildMerkleTree(leaves(n));
      // hashes of another length than 32 bytes take the level-wise path
      const levelWise = buildMerkleTree(Array.from({ length: n }, (_, i) => Buffer.from(`leaf-${i}`)));
      for (const tree of [flat, levelWise]) {
        for (let i = 0; i < n; i++) {
          const target = Buffer.alloc(1024, 0xee);
          const written = writeInclusionProof(tree, i, target, 7);
          expect(target.subarray(7, 7 + written).equals(Buffer.concat(inclusionProof(tree, i)))).toBe(true);
          expect(target[7 + written]).toBe(0xee);
        }
      }
    }
  });
});
