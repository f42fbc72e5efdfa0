import type { DeviceId } from './device-id.js';
import { batchSigningMessage } from './envelope.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import type { SignatureVerifier } from './signing.js';

/**
 * What proves a stored reading came from its device, whether it travelled alone or in a batch. Exports carry
 * it on every row, so a buyer verifies a row without the rest of its batch.
 */
export type ReadingProof =
  | { readonly type: 'single'; readonly signature: Uint8Array }
  | {
      readonly type: 'batch';
      readonly signature: Uint8Array;
      readonly root: Uint8Array;
      readonly index: number;
      readonly size: number;
      readonly proof: readonly Uint8Array[];
    };

export type ProvenanceFailure = 'BAD_SIGNATURE' | 'BAD_PROOF';

/** Checks a reading's canonical bytes against its device key and proof; returns the failure or undefined. */
export function checkProvenance(
  device: DeviceId,
  canonical: Uint8Array,
  proof: ReadingProof,
  verifier: SignatureVerifier,
): ProvenanceFailure | undefined {
  if (proof.type === 'single') {
    return verifier.verify(device, canonical, proof.signature) ? undefined : 'BAD_SIGNATURE';
  }
  const root = rootFromInclusionProof(leafHash(canonical), proof.index, proof.size, proof.proof);
  if (root === undefined || !root.equals(proof.root)) {
    return 'BAD_PROOF';
  }
  return verifier.verify(device, batchSigningMessage(root), proof.signature) ? undefined : 'BAD_SIGNATURE';
}
