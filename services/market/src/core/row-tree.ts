import { MerkleAccumulator } from './merkle-accumulator.js';

/** Rows per chunk root in a manifest: a power of two, so each full chunk's root is a node of the row tree. */
export const DEFAULT_CHUNK_SIZE = 1024;

/**
 * The Merkle root over all row hashes, plus one root per chunk of `chunkSize` consecutive rows. The chunk
 * roots let a verifier localise changes the rows cannot reveal themselves (a quality flag, a reordering)
 * to a range of rows, while the manifest stays small (one hash per 1024 rows).
 *
 * Each row is hashed into its chunk only: a full chunk's root is a perfect subtree of the row tree, so the
 * row tree is the tree of chunk roots, completed at the end by the open chunk's subtrees.
 */
export class RowTree {
  private readonly chunks: MerkleAccumulator;
  private chunk = new MerkleAccumulator();
  private readonly chunkRoots: string[] = [];
  private finished: { root: string | null; chunkRoots: string[] } | undefined;

  constructor(readonly chunkSize = DEFAULT_CHUNK_SIZE) {
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) {
      throw new RangeError(`chunk size must be a power of two, got ${chunkSize}`);
    }
    this.chunks = new MerkleAccumulator(Math.log2(chunkSize));
  }

  get size(): number {
    return this.chunks.size + this.chunk.size;
  }

  push(leaf: Buffer): void {
    if (this.finished !== undefined) {
      throw new Error('the row tree is finished');
    }
    this.chunk.push(leaf);
    if (this.chunk.size === this.chunkSize) {
      const root = this.chunk.root()!;
      this.chunkRoots.push(root.toString('hex'));
      this.chunks.push(root);
      this.chunk = new MerkleAccumulator();
    }
  }

  /** The root (hex, null when empty) and the chunk roots, the last chunk possibly partial. Push nothing after. */
  finish(): { root: string | null; chunkRoots: string[] } {
    if (this.finished === undefined) {
      const root = this.chunks.root(this.chunk)?.toString('hex') ?? null;
      const partial = this.chunk.size > 0 ? [this.chunk.root()!.toString('hex')] : [];
      this.finished = { root, chunkRoots: [...this.chunkRoots, ...partial] };
    }
    return this.finished;
  }
}
