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

  /**
   * @param leafHeight the height of what `push` takes: 0 for leaves, k for roots of perfect subtrees of 2^k
   * leaves each (a tree of chunk roots); `size` counts leaves either way
   */
  constructor(private readonly leafHeight = 0) {}

  get size(): number {
    return this.count;
  }

  push(leaf: Buffer): void {
    let hash = leaf;
    let height = this.leafHeight;
    while (this.heights.length > 0 && this.heights[this.heights.length - 1] === height) {
      this.heights.pop();
      hash = nodeHash(this.hashes.pop()!, hash);
      height++;
    }
    this.hashes.push(hash);
    this.heights.push(height);
    this.count += 2 ** this.leafHeight;
  }

  /** The perfect-subtree roots, largest first. */
  subtrees(): readonly Buffer[] {
    return this.hashes;
  }

  /**
   * The root of every leaf pushed so far, followed by `tail`'s leaves (whose subtrees must all be smaller
   * than this accumulator's, as a partial chunk after whole chunks); undefined while both are empty.
   */
  root(tail?: MerkleAccumulator): Buffer | undefined {
    const all = tail === undefined ? this.hashes : [...this.hashes, ...tail.subtrees()];
    if (all.length === 0) {
      return undefined;
    }
    let root = all[all.length - 1]!;
    for (let i = all.length - 2; i >= 0; i--) {
      root = nodeHash(all[i]!, root);
    }
    return root;
  }
}
