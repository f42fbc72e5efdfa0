import { MerkleAccumulator } from './merkle-accumulator.js';

/** Rows per chunk root in a manifest: a power of two, so each full chunk's root is a node of the row tree. */
export const DEFAULT_CHUNK_SIZE = 1024;

/**
 * The Merkle root over all row hashes, plus one root per chunk of `chunkSize` consecutive rows. The chunk
 * roots let a verifier localise changes the rows cannot reveal themselves (a quality flag, a reordering)
 * to a range of rows, while the manifest stays small (one hash per 1024 rows).
 */
export class RowTree {
  private readonly all = new MerkleAccumulator();
  private chunk = new MerkleAccumulator();
  readonly chunkRoots: string[] = [];

  constructor(readonly chunkSize = DEFAULT_CHUNK_SIZE) {
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) {
      throw new RangeError(`chunk size must be a power of two, got ${chunkSize}`);
    }
  }

  get size(): number {
    return this.all.size;
  }

  push(leaf: Buffer): void {
    this.all.push(leaf);
    this.chunk.push(leaf);
    if (this.chunk.size === this.chunkSize) {
      this.chunkRoots.push(this.chunk.root()!.toString('hex'));
      this.chunk = new MerkleAccumulator();
    }
  }

  /** The root (hex, null when empty) and the chunk roots, the last chunk possibly partial. */
  finish(): { root: string | null; chunkRoots: string[] } {
    if (this.chunk.size > 0) {
      this.chunkRoots.push(this.chunk.root()!.toString('hex'));
      this.chunk = new MerkleAccumulator();
    }
    return { root: this.all.root()?.toString('hex') ?? null, chunkRoots: this.chunkRoots };
  }
}
