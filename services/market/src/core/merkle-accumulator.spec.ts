import { createHash } from 'node:crypto';
import { buildMerkleTree, leafHash } from '@groundtruth/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLeafHash } from './fast-hash.js';
import { MerkleAccumulator } from './merkle-accumulator.js';
import { RowTree } from './row-tree.js';

const leaves = (n: number, salt = 0): Buffer[] =>
  Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`${salt}:${i}`).digest()));

function accumulate(hashes: readonly Buffer[]): MerkleAccumulator {
  const acc = new MerkleAccumulator();
  for (const hash of hashes) {
    acc.push(hash);
  }
  return acc;
}

describe('MerkleAccumulator', () => {
  it('has no root while empty', () => {
    expect(new MerkleAccumulator().root()).toBeUndefined();
  });

  it('equals buildMerkleTree for every size from 1 to 300', () => {
    for (let n = 1; n <= 300; n++) {
      const hashes = leaves(n, n);
      const acc = accumulate(hashes);
      expect(acc.size).toBe(n);
      expect(acc.root()!.toString('hex'), `n=${n}`).toBe(buildMerkleTree(hashes).root.toString('hex'));
    }
  });

  it('equals buildMerkleTree around powers of two up to 2^12', () => {
    for (let k = 9; k <= 12; k++) {
      for (const n of [2 ** k - 1, 2 ** k, 2 ** k + 1]) {
        const hashes = leaves(n, k);
        expect(accumulate(hashes).root()!.equals(buildMerkleTree(hashes).root), `n=${n}`).toBe(true);
      }
    }
  });

  it('gives the running root after every push (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer(), (n, salt) => {
        const hashes = leaves(n, salt);
        const acc = new MerkleAccumulator();
        hashes.forEach((hash, i) => {
          acc.push(hash);
          if (i % 37 === 0) {
            expect(acc.root()!.equals(buildMerkleTree(hashes.slice(0, i + 1)).root)).toBe(true);
          }
        });
        expect(acc.root()!.equals(buildMerkleTree(hashes).root)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('changes its root when any one leaf changes', () => {
    const hashes = leaves(77);
    const root = accumulate(hashes).root()!;
    for (let i = 0; i < hashes.length; i++) {
      const tampered = [...hashes];
      tampered[i] = leafHash(Buffer.from('tampered'));
      expect(accumulate(tampered).root()!.equals(root)).toBe(false);
    }
  });
});

describe('fastLeafHash', () => {
  it('equals the protocol leafHash of the UTF-8 bytes, for ASCII and multi-byte text', () => {
    for (const text of ['', '{"a":1}', 'humidité ☂ 𝄞', 'x'.repeat(5000)]) {
      expect(fastLeafHash(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
    }
  });
});

describe('RowTree', () => {
  it('gives the root of all rows and one root per chunk, for every chunk size and row count', () => {
    for (const chunkSize of [1, 2, 4, 16]) {
      for (let n = 0; n <= 70; n++) {
        const hashes = leaves(n, chunkSize);
        const tree = new RowTree(chunkSize);
        hashes.forEach((hash) => tree.push(hash));
        expect(tree.size).toBe(n);
        const { root, chunkRoots } = tree.finish();
        expect(tree.size).toBe(n);
        expect(tree.finish().root).toBe(root);
        expect(root, `n=${n} chunk=${chunkSize}`).toBe(n === 0 ? null : buildMerkleTree(hashes).root.toString('hex'));
        const expected: string[] = [];
        for (let i = 0; i < n; i += chunkSize) {
          expected.push(buildMerkleTree(hashes.slice(i, i + chunkSize)).root.toString('hex'));
        }
        expect(chunkRoots).toEqual(expected);
      }
    }
  });
});
