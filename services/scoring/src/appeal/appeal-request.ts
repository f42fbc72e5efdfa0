import { verify as nodeVerify } from 'node:crypto';
import { canonicalize, isDeviceId, publicKeyObject, publicKeyOf } from '@groundtruth/protocol';
import { ScoringApiError } from '../http/api-error.js';

/** Domain separation: an appeal signature can never be taken for another signed GroundTruth message. */
export const APPEAL_PREFIX = 'gt:v1:scoring-appeal:';

/**
 * An owner's appeal: re-score one epoch of their device with a newer algorithm version. The owner wallet signs
 * `gt:v1:scoring-appeal:` ‖ RFC 8785 bytes of the request (ed25519, as Solana wallets sign messages).
 */
export interface AppealRequest {
  readonly device: string;
  readonly epoch: number;
  /** the version to re-score with (must be newer than the one the epoch was scored with) */
  readonly version: string;
  readonly reason: string;
  /** ms UTC; refused after it */
  readonly expires_at: number;
}

export function appealMessage(request: AppealRequest): Buffer {
  const { device, epoch, version, reason, expires_at } = request;
  return Buffer.concat([
    Buffer.from(APPEAL_PREFIX, 'ascii'),
    Buffer.from(canonicalize({ device, epoch, version, reason, expires_at }), 'utf8'),
  ]);
}

/** Verifies an ed25519 signature (standard base64, 64 bytes) by a base58 wallet over `message`. */
export function verifyWalletSignature(wallet: string, message: Uint8Array, signatureBase64: string): boolean {
  if (!isDeviceId(wallet) || !/^[A-Za-z0-9+/]{86}==$/.test(signatureBase64)) {
    return false;
  }
  const signature = Buffer.from(signatureBase64, 'base64');
  return signature.length === 64 && nodeVerify(null, message, publicKeyObject(publicKeyOf(wallet)), signature);
}

/**
 * Checks an appeal's timing and the owner wallet's signature (the device, epoch and version checks need the
 * store and are the service's). A replayed appeal finds the device already scored with that version
 * (VERSION_NOT_NEWER), so no nonce is needed.
 */
export function checkAppeal(
  request: AppealRequest,
  signatureBase64: string,
  ownerWallet: string,
  now: number,
  maxValidityMs: number,
): void {
  if (request.expires_at < now) {
    throw new ScoringApiError('REQUEST_EXPIRED', 'the signed appeal has expired', { expires_at: request.expires_at });
  }
  if (request.expires_at > now + maxValidityMs) {
    throw new ScoringApiError(
      'EXPIRY_TOO_FAR',
      `a signed appeal may be valid for at most ${Math.round(maxValidityMs / 1000)} s`,
      { expires_at: request.expires_at, max_validity_ms: maxValidityMs },
    );
  }
  if (!verifyWalletSignature(ownerWallet, appealMessage(request), signatureBase64)) {
    throw new ScoringApiError('BAD_OWNER_SIGNATURE', "the signature is not the device owner wallet's", {
      device: request.device,
    });
  }
}
