import { hash } from 'node:crypto';

/**
 * Merkle tree of RFC 9162 (Certificate Transparency v2) §2.1: SHA-256, leaf hash = H(0x00 ‖ data),
 * interior node = H(0x01 ‖ left ‖ right), so a leaf can never be passed off as a node. For n leaves the tree
 * splits at the largest power of two below n, which is the same tree as pairing level by level and carrying
 * an unpaired last node up unchanged (never duplicating it, the flaw of Bitcoin's tree).
 *
 * Hashes use Node's one-shot `crypto.hash` over a prefixed copy of the input: a Hash object per leaf or node
 * (createHash, update, digest) costs several times the hashing itself, and the ingest hashes two per reading.
 */

const HASH = 32;

/** Scratch input of {@link leafHash} (grown on demand); hashing is synchronous, so one per thread suffices. */
let leafInput = Buffer.alloc(1024);
const nodeInput = Buffer.alloc(65);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * SHA-256 as a buffer of its own. The digest is asked for as a 'binary' (latin1) string: Node 20 takes a slow
 * path for a 'buffer' digest (~1.5 µs a call against ~0.3 µs, measured on the bench machine).
 */
function sha256(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HASH);
  out.write(hash('sha256', input, 'binary'), 0, 'latin1');
  return out;
}

export function leafHash(data: Uint8Array): Buffer {
  if (data.length + 1 > leafInput.length) {
    leafInput = Buffer.alloc(Math.max(data.length + 1, leafInput.length * 2));
  }
  leafInput[0] = 0x00;
  leafInput.set(data, 1);
  return sha256(leafInput.subarray(0, data.length + 1));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) {
    // Not a pair of SHA-256 hashes (only a malformed proof gets here): hash the bytes as they are.
    return sha256(Buffer.concat([NODE_PREFIX, left, right]));
  }
  nodeInput[0] = 0x01;
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
}

/** Every level of the tree, leaves first; the last level holds the root alone. */
export interface MerkleTree {
  readonly levels: readonly (readonly Buffer[])[];
  readonly root: Buffer;
  readonly size: number;
}

/**
 * A tree held as one buffer of 32-byte hashes, level after level. Hashes are written into it as they are
 * computed (`crypto.hash` with 'binary' (latin1) output is a short string, not a buffer of its own per node), and
 * `levels` is built only if asked for: the ingest cuts proofs from the buffer ({@link writeInclusionProof}).
 */
class FlatMerkleTree implements MerkleTree {
  readonly root: Buffer;
  private levelList: Buffer[][] | undefined;

  constructor(
    /** every level's hashes, leaves first */
    readonly hashes: Buffer,
    /** byte offset of each level in `hashes` */
    readonly offsets: readonly number[],
    /** hashes in each level */
    readonly counts: readonly number[],
  ) {
    const top = offsets[offsets.length - 1]!;
    this.root = hashes.subarray(top, top + HASH);
  }

  get size(): number {
    return this.counts[0]!;
  }

  get levels(): readonly (readonly Buffer[])[] {
    this.levelList ??= this.offsets.map((offset, depth) =>
      Array.from({ length: this.counts[depth]! }, (_, i) =>
        this.hashes.subarray(offset + i * HASH, offset + (i + 1) * HASH),
      ),
    );
    return this.levelList;
  }
}

/** Hashes in a tree of `size` leaves, counting each unpaired node carried up once per level it reaches. */
function hashesInTree(size: number): number {
  let total = size;
  for (let count = size; count > 1; count = (count + 1) >> 1) {
    total += (count + 1) >> 1;
  }
  return total;
}

/** Hashes the levels above the `size` leaf hashes at the start of `hashes` (room for {@link hashesInTree}). */
function growTree(hashes: Buffer, size: number): FlatMerkleTree {
  const offsets = [0];
  const counts = [size];
  let from = 0;
  let count = size;
  let to = size * HASH;
  while (count > 1) {
    offsets.push(to);
    const start = to;
    for (let i = 0; i < count; i += 2) {
      const left = from + i * HASH;
      if (i + 1 < count) {
        nodeInput[0] = 0x01;
        hashes.copy(nodeInput, 1, left, left + 2 * HASH);
        hashes.write(hash('sha256', nodeInput, 'binary'), to, 'latin1');
      } else {
        hashes.copy(hashes, to, left, left + HASH);
      }
      to += HASH;
    }
    from = start;
    count = (count + 1) >> 1;
    counts.push(count);
  }
  return new FlatMerkleTree(hashes, offsets, counts);
}

/** Builds the tree over leaf hashes (see {@link leafHash}). Throws on an empty list: an empty batch is invalid. */
export function buildMerkleTree(leafHashes: readonly Buffer[]): MerkleTree {
  if (leafHashes.length === 0) {
    throw new RangeError('a Merkle tree needs at least one leaf');
  }
  if (leafHashes.some((leaf) => leaf.length !== HASH)) {
    return buildLevels(leafHashes);
  }
  const hashes = Buffer.allocUnsafe(hashesInTree(leafHashes.length) * HASH);
  leafHashes.forEach((leaf, i) => hashes.set(leaf, i * HASH));
  return growTree(hashes, leafHashes.length);
}

/** The level-wise tree over "hashes" of another length than SHA-256's (no real leaf hash is). */
function buildLevels(leafHashes: readonly Buffer[]): MerkleTree {
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

/** Texts' UTF-8 bytes and the tree whose leaves are those bytes. */
export interface TextTree {
  /** each text's UTF-8 bytes: views into one buffer shared by all of them */
  readonly data: Buffer[];
  readonly tree: MerkleTree;
}

let textInput = Buffer.alloc(64 * 1024);

/**
 * The Merkle tree whose leaf data are the texts' UTF-8 bytes, with those bytes: the same tree as
 * `buildMerkleTree(texts.map((t) => leafHash(Buffer.from(t, 'utf8'))))`. The texts are encoded once, into
 * one buffer, each behind its 0x00 prefix: no buffer per text and no copy per leaf hash. Throws on no texts.
 */
export function textMerkleTree(texts: readonly string[]): TextTree {
  if (texts.length === 0) {
    throw new RangeError('a Merkle tree needs at least one leaf');
  }
  let at = 0;
  const ends = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    // a UTF-16 code unit takes at most 3 UTF-8 bytes
    if (at + 1 + text.length * 3 > textInput.length) {
      const bigger = Buffer.alloc(Math.max(textInput.length * 2, at + 1 + text.length * 3));
      textInput.copy(bigger, 0, 0, at);
      textInput = bigger;
    }
    textInput[at] = 0x00;
    at += 1 + textInput.write(text, at + 1, 'utf8');
    ends[i] = at;
  }
  const bytes = Buffer.allocUnsafeSlow(at);
  textInput.copy(bytes, 0, 0, at);
  const data = new Array<Buffer>(texts.length);
  const hashes = Buffer.allocUnsafe(hashesInTree(texts.length) * HASH);
  let start = 0;
  for (let i = 0; i < texts.length; i++) {
    const end = ends[i]!;
    hashes.write(hash('sha256', bytes.subarray(start, end), 'binary'), i * HASH, 'latin1');
    data[i] = bytes.subarray(start + 1, end);
    start = end;
  }
  return { data, tree: growTree(hashes, texts.length) };
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

/**
 * Writes the inclusion proof of the leaf at `index` (its hashes, bottom-up, concatenated: what
 * {@link inclusionProof} returns, joined) into `target` at `offset`, without building the list. Returns the
 * number of bytes written; `target` must have room for `32 * (tree.levels.length - 1)` of them.
 */
export function writeInclusionProof(tree: MerkleTree, index: number, target: Uint8Array, offset: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= tree.size) {
    throw new RangeError(`leaf index ${index} outside a tree of ${tree.size}`);
  }
  let at = offset;
  let i = index;
  if (tree instanceof FlatMerkleTree) {
    const { hashes, offsets, counts } = tree;
    for (let depth = 0; depth < offsets.length - 1; depth++) {
      const sibling = i ^ 1;
      if (sibling < counts[depth]!) {
        // 32 bytes: a loop beats a native copy call at this size
        const from = offsets[depth]! + sibling * HASH;
        for (let k = 0; k < HASH; k++) {
          target[at + k] = hashes[from + k]!;
        }
        at += HASH;
      }
      i >>= 1;
    }
    return at - offset;
  }
  for (let depth = 0; depth < tree.levels.length - 1; depth++) {
    const level = tree.levels[depth]!;
    const sibling = i ^ 1;
    if (sibling < level.length) {
      const node = level[sibling]!;
      target.set(node, at);
      at += node.length;
    }
    i >>= 1;
  }
  return at - offset;
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
