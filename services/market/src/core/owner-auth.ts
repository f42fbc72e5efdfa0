import { canonicalize } from '@groundtruth/protocol';
import { MarketError } from './market-error.js';
import { verifyBase58Signature } from './network-key.js';

export const OWNER_EXPORT_PREFIX = Buffer.from('gt:v1:owner-export:', 'ascii');

/** Longest validity an owner may give a download request (a leaked request then soon stops working). */
export const MAX_OWNER_AUTH_MS = 15 * 60_000;

/**
 * An owner's request to download their device's readings, signed by the owner wallet (ed25519, as Solana
 * wallets sign messages): `gt:v1:owner-export:` ‖ RFC 8785 bytes of the request. The nonce is single use.
 */
export interface OwnerExportRequest {
  readonly device: string;
  readonly from: number;
  readonly to: number;
  readonly expiresAt: number;
  /** 32 hex characters */
  readonly nonce: string;
}

export function ownerExportMessage(request: OwnerExportRequest): Buffer {
  const { device, from, to, expiresAt, nonce } = request;
  return Buffer.concat([
    OWNER_EXPORT_PREFIX,
    Buffer.from(canonicalize({ device, from, to, expiresAt, nonce }), 'utf8'),
  ]);
}

/** Checks the request's timing and the owner's signature; the nonce's single use is the store's job. */
export function checkOwnerRequest(
  request: OwnerExportRequest,
  signatureBase64: string,
  ownerWallet: string,
  now: number,
): void {
  if (!/^[0-9a-f]{32}$/.test(request.nonce)) {
    throw new MarketError('BAD_QUERY', 'nonce must be 32 lowercase hex characters', { path: 'nonce' });
  }
  if (request.expiresAt < now) {
    throw new MarketError('OWNER_AUTH_EXPIRED', 'the signed request has expired', { expiresAt: request.expiresAt });
  }
  if (request.expiresAt > now + MAX_OWNER_AUTH_MS) {
    throw new MarketError('BAD_QUERY', `a signed request may be valid for at most ${MAX_OWNER_AUTH_MS / 60_000} min`, {
      path: 'expiresAt',
    });
  }
  if (!verifyBase58Signature(ownerWallet, ownerExportMessage(request), signatureBase64)) {
    throw new MarketError('BAD_OWNER_SIGNATURE', "the signature is not the device owner wallet's", {
      device: request.device,
    });
  }
}
