/**
 * Stable error codes of the bridge. They appear in CLI errors, logs and the status file, so a code is never
 * renamed or reused: add new ones at the end.
 */
export const BRIDGE_ERROR_CODES = [
  'BAD_ARGUMENT',
  'BAD_CONFIG',
  'KEY_EXISTS',
  'BAD_KEY_FILE',
  'KEY_FILE_PERMISSIONS',
  'BAD_OWNER_KEYPAIR',
  'REGISTRATION_REFUSED',
  'REGISTRY_UNREACHABLE',
  'QUEUE_LOCKED',
  'QUEUE_CORRUPT',
  'QUEUE_CLOSED',
  'RECORD_TOO_LARGE',
  'BROKER_UNREACHABLE',
  'UNKNOWN_ADAPTER',
  'SIMULATION_UNAVAILABLE',
  /** a queue write, fdatasync or cursor update failed: readings are not durable (see DurableQueue.failure) */
  'QUEUE_WRITE_FAILED',
  /** the /metrics endpoint could not listen where the config says (port taken, no permission) */
  'METRICS_LISTEN_FAILED',
] as const;

export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

/** The one error class of the bridge; `context` carries what a user needs to fix it (a path, a status code). */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly context: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(`${code}: ${message}`);
  }
}
