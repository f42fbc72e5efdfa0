import { createHash } from 'node:crypto';

/**
 * Merkle tree of RFC 9162 (Certificate Transparency v2) §2.1: SHA-256, leaf hash = H(0x00 ‖ data),
 * interior node = H(0x01 ‖ left ‖ right), so a leaf can never be passed off as a node. For n leaves the tree
 * splits at the largest power of two below n, which is the same tree as pairing level by level and carrying
 * an unpaired last node up unchanged (never duplicating it, the flaw of Bitcoin's tree).
 */
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** Every level of the tree, leaves first; the last level holds the root alone. */
export interface MerkleTree {
  readonly levels: readonly (readonly Buffer[])[];
  readonly root: Buffer;
  readonly size: number;
}

/** Builds the tree over leaf hashes (see {@link leafHash}). Throws on an empty list: an empty batch is invalid. */
export function buildMerkleTree(leafHashes: readonly Buffer[]): MerkleTree {
  if (leafHashes.length === 0) {
    throw new RangeError('a Merkle tree needs at least one leaf');
  }
  const levels: Buffer[][] = [[...leafHashes]];
  let level = levels[0]!;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    }
    levels.push(next);
    level = next;
  }
  return { levels, root: level[0]!, size: leafHashes.length };
}

export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  return buildMerkleTree(leafHashes).root;
}

/** The inclusion proof (audit path, bottom-up) of the leaf at `index`, as RFC 9162 §2.1.3.1 defines it. */
export function inclusionProof(tree: MerkleTree, index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= tree.size) {
    throw new RangeError(`leaf index ${index} outside a tree of ${tree.size}`);
  }
  const proof: Buffer[] = [];
  let i = index;
  for (let depth = 0; depth < tree.levels.length - 1; depth++) {
    const level = tree.levels[depth]!;
    const sibling = i ^ 1;
    if (sibling < level.length) {
      proof.push(level[sibling]!);
    }
    i >>= 1;
  }
  return proof;
}

/** Recomputes the root from a leaf hash and its proof (RFC 9162 §2.1.3.2). Pure; never throws. */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
    return undefined;
  }
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) {
      return undefined;
    }
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusionProof(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leaf, index, treeSize, proof);
  return computed !== undefined && computed.equals(root);
}
