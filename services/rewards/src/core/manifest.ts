import { createHash } from 'node:crypto';
import { buildMerkleTree, canonicalize, inclusionProof, leafHash, type MerkleTree } from '@groundtruth/protocol';
import type { RewardReason } from './reasons.js';

/**
 * One line of an epoch's manifest. Serialised with RFC 8785 and hashed as an RFC 9162 leaf (the protocol's
 * Merkle tree), so the root pins every field: amounts (decimal text, base units), owner, reason and the versions
 * of both algorithms.
 */
export interface RewardLeaf {
  readonly v: 1;
  readonly epoch: number;
  /** null for a credit paid to a wallet directly */
  readonly device: string | null;
  /** the wallet paid, or null when the device has none */
  readonly owner: string | null;
  readonly kind: string | null;
  /** `emission`, a credit's source (`sale:<order>`), or `held:<epoch>:<source>` for a release */
  readonly source: string;
  readonly reason: RewardReason;
  readonly amount: string;
  readonly score: {
    readonly quality: number;
    readonly location: number;
    readonly multiplier: number;
    readonly weight: string;
    readonly cell: string | null;
  } | null;
  readonly algorithms: { readonly scoring: string | null; readonly rewards: string };
}

/** The byte string a leaf hash covers. */
export function leafText(leaf: RewardLeaf): string {
  return canonicalize(leaf);
}

/** Manifest order: by device (wallet-only credits first), then source, then owner; UTF-16 code-unit order. */
export function compareLeaves(a: RewardLeaf, b: RewardLeaf): number {
  const ka = [a.device ?? '', a.source, a.owner ?? ''];
  const kb = [b.device ?? '', b.source, b.owner ?? ''];
  for (let i = 0; i < 3; i++) {
    if (ka[i]! !== kb[i]!) {
      return ka[i]! < kb[i]! ? -1 : 1;
    }
  }
  return 0;
}

/** Root of an epoch without leaves: SHA-256 of the empty string, as RFC 9162 defines the empty tree's hash. */
export const EMPTY_ROOT = createHash('sha256').digest('hex');

export interface Manifest {
  readonly epoch: number;
  readonly leaves: readonly RewardLeaf[];
  readonly texts: readonly string[];
  readonly root: string;
  readonly tree: MerkleTree | null;
}

/** Sorts the leaves (a copy) and builds the tree. Two leaves with the same sort key are a bug: it throws. */
export function buildManifest(epoch: number, leaves: readonly RewardLeaf[]): Manifest {
  const sorted = [...leaves].sort(compareLeaves);
  for (let i = 1; i < sorted.length; i++) {
    if (compareLeaves(sorted[i - 1]!, sorted[i]!) === 0) {
      throw new RangeError(`duplicate manifest leaf ${sorted[i]!.device ?? sorted[i]!.owner}/${sorted[i]!.source}`);
    }
  }
  return manifestFromTexts(epoch, sorted.map(leafText), sorted);
}

/** Builds the tree over stored leaf texts as they are (no re-sorting): what a verifier does with a manifest. */
export function manifestFromTexts(epoch: number, texts: readonly string[], leaves?: readonly RewardLeaf[]): Manifest {
  const parsed = leaves ?? texts.map((t) => JSON.parse(t) as RewardLeaf);
  if (texts.length === 0) {
    return { epoch, leaves: parsed, texts, root: EMPTY_ROOT, tree: null };
  }
  const tree = buildMerkleTree(texts.map((t) => leafHash(Buffer.from(t, 'utf8'))));
  return { epoch, leaves: parsed, texts, root: tree.root.toString('hex'), tree };
}

export interface LeafProof {
  readonly index: number;
  readonly leaf: RewardLeaf;
  /** hex of the RFC 9162 leaf hash */
  readonly leafHash: string;
  /** audit path, bottom-up, hex */
  readonly proof: readonly string[];
}

/** Inclusion proofs of every leaf of `device` (a device can have several: emission, credits, releases). */
export function proofsForDevice(manifest: Manifest, device: string): LeafProof[] {
  const proofs: LeafProof[] = [];
  manifest.leaves.forEach((leaf, index) => {
    if (leaf.device === device && manifest.tree) {
      proofs.push({
        index,
        leaf,
        leafHash: manifest.tree.levels[0]![index]!.toString('hex'),
        proof: inclusionProof(manifest.tree, index).map((p) => p.toString('hex')),
      });
    }
  });
  return proofs;
}
