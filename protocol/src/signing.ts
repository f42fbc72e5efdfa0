import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { deviceIdFromPublicKey, publicKeyOf, type DeviceId } from './device-id.js';

/** An ed25519 key pair as tweetnacl holds it: 32-byte seed + public key in a 64-byte secret key. */
export interface DeviceKeyPair {
  readonly deviceId: DeviceId;
  readonly publicKey: Uint8Array;
  /** 64 bytes: seed ‖ public key. Never log it. */
  readonly secretKey: Uint8Array;
}

export function keyPairFromSeed(seed: Uint8Array): DeviceKeyPair {
  const pair = nacl.sign.keyPair.fromSeed(seed);
  return { deviceId: deviceIdFromPublicKey(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

export function generateKeyPair(): DeviceKeyPair {
  const pair = nacl.sign.keyPair();
  return { deviceId: deviceIdFromPublicKey(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** Produces ed25519 signatures; both implementations give identical bytes (ed25519 is deterministic). */
export interface Signer {
  readonly deviceId: DeviceId;
  sign(message: Uint8Array): Uint8Array;
}

/** The default device-side signer: tweetnacl, pure JavaScript, runs on any JS runtime. */
export class TweetnaclSigner implements Signer {
  readonly deviceId: DeviceId;
  constructor(private readonly keyPair: DeviceKeyPair) {
    this.deviceId = keyPair.deviceId;
  }
  sign(message: Uint8Array): Uint8Array {
    return nacl.sign.detached(message, this.keyPair.secretKey);
  }
}

// DER prefixes that wrap a raw 32-byte ed25519 key as PKCS#8 / SPKI (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A faster signer for fleets simulated in one process: OpenSSL through node:crypto. */
export class NodeCryptoSigner implements Signer {
  readonly deviceId: DeviceId;
  private readonly key: KeyObject;
  constructor(keyPair: DeviceKeyPair) {
    this.deviceId = keyPair.deviceId;
    this.key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, keyPair.secretKey.subarray(0, 32)]),
      format: 'der',
      type: 'pkcs8',
    });
  }
  sign(message: Uint8Array): Uint8Array {
    return nodeSign(null, message, this.key);
  }
}

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

export interface SignatureVerifier {
  verify(device: DeviceId, message: Uint8Array, signature: Uint8Array): boolean;
}

export function tweetnaclVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === 64 && publicKey.length === 32 && nacl.sign.detached.verify(message, signature, publicKey);
}

/**
 * The network-side verifier: node:crypto with one KeyObject per device kept in a bounded cache, since building
 * the key costs about as much as a verification. `verifyAsync` runs on libuv's thread pool, so concurrent
 * calls use every core.
 */
export class NodeCryptoVerifier implements SignatureVerifier {
  private readonly keys = new Map<string, KeyObject>();
  constructor(private readonly maxCachedKeys = 100_000) {}

  private keyFor(device: DeviceId): KeyObject {
    let key = this.keys.get(device);
    if (key === undefined) {
      if (this.keys.size >= this.maxCachedKeys) {
        // Drop the oldest entry (Map keeps insertion order): a cheap bound, not an LRU.
        this.keys.delete(this.keys.keys().next().value!);
      }
      key = publicKeyObject(publicKeyOf(device));
      this.keys.set(device, key);
    }
    return key;
  }

  verify(device: DeviceId, message: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === 64 && nodeVerify(null, message, this.keyFor(device), signature);
  }

  verifyAsync(device: DeviceId, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== 64) {
      return Promise.resolve(false);
    }
    const key = this.keyFor(device);
    return new Promise((resolve, reject) => {
      nodeVerify(null, message, key, signature, (error, valid) => (error ? reject(error) : resolve(valid)));
    });
  }
}

export class TweetnaclVerifier implements SignatureVerifier {
  verify(device: DeviceId, message: Uint8Array, signature: Uint8Array): boolean {
    return tweetnaclVerify(publicKeyOf(device), message, signature);
  }
}
