import { nodeHash } from '@groundtruth/protocol';

/**
 * Builds the RFC 9162 Merkle root of a stream of leaf hashes in O(log n) memory: the same root as
 * `buildMerkleTree(leaves).root` from @groundtruth/protocol, without holding the leaves.
 *
 * The stack holds the roots of the perfect subtrees the leaves so far decompose into (sizes are the set bits
 * of n, largest first), like a binary counter. RFC 9162 splits a tree at the largest power of two below n,
 * so the final root folds these subtree roots from the right: MTH = H(s0, H(s1, H(s2, …))).
 *
 * @example
 * const acc = new MerkleAccumulator();
 * for (const row of rows) acc.push(leafHash(encode(row)));
 * acc.root(); // equals merkleRoot(all leaf hashes)
 */
export class MerkleAccumulator {
  private readonly hashes: Buffer[] = [];
  private readonly heights: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(leaf: Buffer): void {
    let hash = leaf;
    let height = 0;
    while (this.heights.length > 0 && this.heights[this.heights.length - 1] === height) {
      this.heights.pop();
      hash = nodeHash(this.hashes.pop()!, hash);
      height++;
    }
    this.hashes.push(hash);
    this.heights.push(height);
    this.count++;
  }

  /** The root of every leaf pushed so far; undefined while empty (an empty tree has no RFC 9162 root here). */
  root(): Buffer | undefined {
    if (this.hashes.length === 0) {
      return undefined;
    }
    let root = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) {
      root = nodeHash(this.hashes[i]!, root);
    }
    return root;
  }
}
