import type { ApiErrorCode } from './api-error.js';

/**
 * The HTTP status of each code. A `Record` over every code, so a code added anywhere (the job's errors included)
 * fails the build until it is given a status here.
 */
const STATUS: Record<ApiErrorCode, number> = {
  // malformed requests
  BAD_EPOCH: 400,
  BAD_REQUEST: 400,
  UNKNOWN_VERSION: 400,
  VALIDATION: 400,
  MALFORMED_JSON: 400,
  REQUEST_EXPIRED: 400,
  EXPIRY_TOO_FAR: 400,
  // who is asking
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_OWNER_SIGNATURE: 403,
  NO_OWNER_WALLET: 403,
  // what exists
  NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  EPOCH_NOT_SCORED: 404,
  RUN_NOT_FOUND: 404,
  // the state of things
  VERSION_NOT_NEWER: 409,
  EPOCH_NOT_ENDED: 409,
  APPEAL_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

export function httpStatusOf(code: ApiErrorCode): number {
  return STATUS[code];
}
