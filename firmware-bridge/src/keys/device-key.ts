import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { generateKeyPair, keyPairFromSeed, type DeviceKeyPair } from '@groundtruth/protocol';
import { BridgeError } from '../core/bridge-error.js';

/**
 * The device key file. JSON form (default): `{"v":1,"type":"gt-device-key","device":"<base58>","secretKey":"<base64
 * of 64 bytes>"}`; raw form: exactly the 64-byte tweetnacl secret key (seed ‖ public key). Either is created
 * with mode 0600 and never overwritten. A Solana-style JSON array of 64 numbers is accepted too when loading.
 */
export type KeyFileFormat = 'json' | 'raw';

interface JsonKeyFile {
  readonly v: 1;
  readonly type: 'gt-device-key';
  readonly device: string;
  readonly secretKey: string;
}

export function encodeKeyFile(pair: DeviceKeyPair, format: KeyFileFormat): Buffer {
  if (format === 'raw') {
    return Buffer.from(pair.secretKey);
  }
  const file: JsonKeyFile = {
    v: 1,
    type: 'gt-device-key',
    device: pair.deviceId,
    secretKey: Buffer.from(pair.secretKey).toString('base64'),
  };
  return Buffer.from(JSON.stringify(file, null, 2) + '\n');
}

/** Parses key file content; checks the public half belongs to the seed. Throws `BAD_KEY_FILE` (never echoing key bytes). */
export function decodeKeyFile(content: Buffer, source = 'key file'): DeviceKeyPair {
  let secret: Uint8Array | undefined;
  let claimedDevice: string | undefined;
  if (content.length === 64) {
    secret = new Uint8Array(content);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content.toString('utf8'));
    } catch {
      throw new BridgeError('BAD_KEY_FILE', `${source} is neither 64 raw bytes nor JSON`);
    }
    if (
      Array.isArray(parsed) &&
      parsed.length === 64 &&
      parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
    ) {
      secret = Uint8Array.from(parsed as number[]);
    } else if (typeof parsed === 'object' && parsed !== null && (parsed as JsonKeyFile).type === 'gt-device-key') {
      const file = parsed as JsonKeyFile;
      const bytes = typeof file.secretKey === 'string' ? Buffer.from(file.secretKey, 'base64') : Buffer.alloc(0);
      if (bytes.length !== 64) {
        throw new BridgeError('BAD_KEY_FILE', `${source}: secretKey must be base64 of 64 bytes`);
      }
      secret = new Uint8Array(bytes);
      claimedDevice = file.device;
    } else {
      throw new BridgeError(
        'BAD_KEY_FILE',
        `${source}: expected a gt-device-key JSON object or an array of 64 byte values`,
      );
    }
  }
  const pair = keyPairFromSeed(secret.subarray(0, 32));
  if (!Buffer.from(pair.publicKey).equals(Buffer.from(secret.subarray(32)))) {
    throw new BridgeError('BAD_KEY_FILE', `${source}: the public key half does not belong to the secret seed`);
  }
  if (claimedDevice !== undefined && claimedDevice !== pair.deviceId) {
    throw new BridgeError('BAD_KEY_FILE', `${source}: "device" does not match the key`);
  }
  return pair;
}

/** Creates a new key file (mode 0600). Refuses to overwrite an existing file: a lost device key is a lost device. */
export function writeNewKeyFile(
  file: string,
  pair: DeviceKeyPair = generateKeyPair(),
  format: KeyFileFormat = 'json',
): DeviceKeyPair {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new BridgeError('KEY_EXISTS', `${file} already exists; refusing to overwrite a device key`, { file });
    }
    throw new BridgeError('BAD_ARGUMENT', `cannot create ${file}: ${(error as Error).message}`, { file });
  }
  try {
    const bytes = encodeKeyFile(pair, format);
    writeSync(fd, bytes, 0, bytes.length);
  } finally {
    closeSync(fd);
  }
  return pair;
}

/**
 * Loads a device key. Refuses a file that group or others may read (`KEY_FILE_PERMISSIONS`), as ssh does, unless
 * `allowLoosePermissions`.
 */
export function loadKeyFile(file: string, options: { allowLoosePermissions?: boolean } = {}): DeviceKeyPair {
  let content: Buffer;
  try {
    const mode = statSync(file).mode;
    if ((mode & 0o077) !== 0 && !options.allowLoosePermissions) {
      throw new BridgeError(
        'KEY_FILE_PERMISSIONS',
        `${file} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`,
        { file },
      );
    }
    content = readFileSync(file);
  } catch (error) {
    if (error instanceof BridgeError) {
      throw error;
    }
    throw new BridgeError('BAD_KEY_FILE', `cannot read ${file}: ${(error as Error).message}`, { file });
  }
  return decodeKeyFile(content, file);
}
