import bs58 from 'bs58';
import { ProtocolError } from './errors.js';

declare const deviceIdBrand: unique symbol;
/** Base58 of a device's 32-byte ed25519 public key; the same form as a Solana address. */
export type DeviceId = string & { readonly [deviceIdBrand]: true };

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

function decodeBase58Key(value: string): Uint8Array | undefined {
  if (!BASE58.test(value)) {
    return undefined;
  }
  const bytes = bs58.decode(value);
  return bytes.length === 32 ? bytes : undefined;
}

export function isDeviceId(value: unknown): value is DeviceId {
  return typeof value === 'string' && decodeBase58Key(value) !== undefined;
}

export function assertDeviceId(value: unknown, path = 'device'): asserts value is DeviceId {
  if (!isDeviceId(value)) {
    throw new ProtocolError('BAD_DEVICE_ID', 'not the base58 form of a 32-byte ed25519 public key', { path });
  }
}

/** Brands a string after checking it; throws a `BAD_DEVICE_ID` ProtocolError otherwise. */
export function deviceId(value: string): DeviceId {
  assertDeviceId(value);
  return value;
}

export function deviceIdFromPublicKey(publicKey: Uint8Array): DeviceId {
  if (publicKey.length !== 32) {
    throw new ProtocolError('BAD_DEVICE_ID', `public key must be 32 bytes, got ${publicKey.length}`);
  }
  return bs58.encode(publicKey) as DeviceId;
}

export function publicKeyOf(id: DeviceId): Uint8Array {
  const bytes = decodeBase58Key(id);
  if (bytes === undefined) {
    throw new ProtocolError('BAD_DEVICE_ID', 'not the base58 form of a 32-byte ed25519 public key');
  }
  return bytes;
}
