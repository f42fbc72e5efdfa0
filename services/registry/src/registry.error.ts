import { REGISTRATION_ERROR_CODES, type RegistrationError } from '@groundtruth/protocol';

/** Codes only the registry produces (the signed-message checks bring {@link REGISTRATION_ERROR_CODES}). */
export const REGISTRY_ONLY_ERROR_CODES = [
  'VALIDATION',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NONCE_REUSED',
  'DEVICE_EXISTS',
  'UNKNOWN_DEVICE',
  'DEVICE_MISMATCH',
  'NOT_CURRENT_OWNER',
  'DEVICE_REVOKED',
  'INVALID_STATUS_TRANSITION',
  'UNKNOWN_MAKER',
  'MAKER_EXISTS',
  'MAKER_ATTESTATION_REQUIRED',
  'INTERNAL',
] as const;

/**
 * Every code the registry API can answer with. Stable: never renamed or reused; new ones go at the end of
 * their list. Mapped to HTTP statuses only at the edge (`error-status.ts`).
 */
export const REGISTRY_ERROR_CODES = [...REGISTRATION_ERROR_CODES, ...REGISTRY_ONLY_ERROR_CODES] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export function isRegistryErrorCode(value: unknown): value is RegistryErrorCode {
  return typeof value === 'string' && (REGISTRY_ERROR_CODES as readonly string[]).includes(value);
}

/** The registry's one error type: a stable code, a human message and structured details for the client. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** Lifts a protocol-level check failure (bad signature, expired request...) keeping its code and field path. */
  static fromRegistration(error: RegistrationError): RegistryError {
    const message = error.message.replace(/^[A-Z_]+: /, '');
    return new RegistryError(error.code, message, { ...error.context });
  }
}
