import {
  deviceIdFromPublicKey,
  isDeviceId,
  keyPairFromSeed,
  NodeCryptoSigner,
  publicKeyOf,
  tweetnaclVerify,
  type DeviceId,
} from '@groundtruth/protocol';
import { MarketError } from './market-error.js';

/**
 * The network's ed25519 key: it signs quotes and export manifests; its public key (base58, the form of a
 * Solana address) is published at GET /network-key so buyers can check both offline.
 */
export class NetworkKey {
  readonly publicKey: DeviceId;
  private readonly signer: NodeCryptoSigner;

  private constructor(seed: Uint8Array) {
    const pair = keyPairFromSeed(seed);
    this.publicKey = pair.deviceId;
    this.signer = new NodeCryptoSigner(pair);
  }

  /** From a 32-byte seed, or a 64-byte secret key (seed ‖ public key, the Solana CLI keypair file's bytes). */
  static fromSecret(secret: Uint8Array): NetworkKey {
    if (secret.length !== 32 && secret.length !== 64) {
      throw new RangeError(`a network key is a 32-byte seed or a 64-byte keypair, got ${secret.length} bytes`);
    }
    const key = new NetworkKey(secret.subarray(0, 32));
    if (secret.length === 64 && !Buffer.from(publicKeyOf(key.publicKey)).equals(Buffer.from(secret.subarray(32)))) {
      throw new RangeError("the keypair's public half does not match its seed");
    }
    return key;
  }

  /** Reads the text of a keypair file: a JSON array of 64 (or 32) byte values, as `solana-keygen` writes. */
  static fromKeypairJson(text: string): NetworkKey {
    const bytes: unknown = JSON.parse(text);
    if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw new RangeError('a keypair file holds a JSON array of byte values');
    }
    return NetworkKey.fromSecret(Uint8Array.from(bytes as number[]));
  }

  sign(message: Uint8Array): Buffer {
    return Buffer.from(this.signer.sign(message));
  }
}

/** Verifies an ed25519 signature (base64) over `message` against a base58 public key (network key, owner wallet). Never throws. */
export function verifyBase58Signature(publicKey: string, message: Uint8Array, signatureBase64: string): boolean {
  if (!isDeviceId(publicKey) || typeof signatureBase64 !== 'string') {
    return false;
  }
  const signature = Buffer.from(signatureBase64, 'base64');
  return signature.length === 64 && tweetnaclVerify(publicKeyOf(publicKey), message, signature);
}

export function assertNetworkKey(value: string): DeviceId {
  if (!isDeviceId(value)) {
    throw new MarketError('BAD_MANIFEST', 'the network key is not a base58 ed25519 public key');
  }
  return deviceIdFromPublicKey(publicKeyOf(value));
}
