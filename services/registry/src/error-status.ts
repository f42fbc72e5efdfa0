import type { RegistryErrorCode } from './registry.error.js';

/**
 * The HTTP status of each code. A `Record` over every code, so adding a code anywhere (including in the
 * protocol's registration codes) fails the build until it is given a status here.
 */
const STATUS: Record<RegistryErrorCode, number> = {
  // malformed requests
  SCHEMA: 400,
  UNSUPPORTED_VERSION: 400,
  BAD_DEVICE_ID: 400,
  BAD_WALLET: 400,
  UNKNOWN_KIND: 400,
  BAD_MODEL: 400,
  BAD_INTERVAL: 400,
  BAD_LOCATION: 400,
  BAD_NONCE: 400,
  BAD_EXPIRY: 400,
  MALFORMED_SIGNATURE: 400,
  SAME_OWNER: 400,
  SIGNER_MISMATCH: 400,
  BAD_KEYPAIR: 400,
  VALIDATION: 400,
  MALFORMED_JSON: 400,
  DEVICE_MISMATCH: 400,
  REQUEST_EXPIRED: 400,
  EXPIRY_TOO_FAR: 400,
  // who is asking
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_DEVICE_SIGNATURE: 403,
  BAD_OWNER_SIGNATURE: 403,
  BAD_MAKER_SIGNATURE: 403,
  MAKER_SIGNATURE_MISSING: 403,
  MAKER_ATTESTATION_REQUIRED: 403,
  TRANSFER_NOT_SIGNED_BY_OLD_OWNER: 403,
  TRANSFER_NOT_SIGNED_BY_NEW_OWNER: 403,
  // what exists
  NOT_FOUND: 404,
  UNKNOWN_DEVICE: 404,
  UNKNOWN_MAKER: 404,
  // the state of things
  NONCE_REUSED: 409,
  DEVICE_EXISTS: 409,
  NOT_CURRENT_OWNER: 409,
  DEVICE_REVOKED: 409,
  INVALID_STATUS_TRANSITION: 409,
  MAKER_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

export function httpStatusOf(code: RegistryErrorCode): number {
  return STATUS[code];
}
