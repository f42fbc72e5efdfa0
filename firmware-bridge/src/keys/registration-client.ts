import {
  randomNonce,
  signRegistration,
  solanaKeyPair,
  TweetnaclSigner,
  walletAddress,
  type DeclaredLocation,
  type DeviceKeyPair,
  type HardwareKind,
  type RegistrationRequest,
  type SignedRegistration,
} from '@groundtruth/protocol';
import { readFileSync } from 'node:fs';
import { BridgeError } from '../core/bridge-error.js';

/** A Solana keypair file (JSON array of 64 byte values) as a key pair; `BAD_OWNER_KEYPAIR` otherwise. */
export function loadOwnerKeyPair(file: string): DeviceKeyPair {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BridgeError('BAD_OWNER_KEYPAIR', `cannot read ${file} as JSON: ${(error as Error).message}`, { file });
  }
  const pair = solanaKeyPair(raw);
  if (!pair.ok) {
    throw new BridgeError('BAD_OWNER_KEYPAIR', `${file}: ${pair.error.message}`, { file });
  }
  return pair.value;
}

export interface RegistrationInput {
  readonly device: DeviceKeyPair;
  readonly owner: DeviceKeyPair;
  readonly kind: HardwareKind;
  readonly model: string;
  readonly intervalS: number;
  readonly location?: DeclaredLocation;
  /** how long the signed request stays valid (default 10 minutes) */
  readonly validForMs?: number;
  readonly now?: number;
  readonly nonce?: string;
}

/** Builds and signs a registration: device proof of possession + owner wallet signature over the same bytes. */
export function buildRegistration(input: RegistrationInput): SignedRegistration {
  const request: RegistrationRequest = {
    v: 1,
    type: 'register',
    device: input.device.deviceId,
    owner: walletAddress(input.owner.deviceId),
    kind: input.kind,
    model: input.model,
    interval_s: input.intervalS,
    ...(input.location === undefined ? {} : { location: input.location }),
    nonce: input.nonce ?? randomNonce(),
    expires_at: (input.now ?? Date.now()) + (input.validForMs ?? 10 * 60 * 1000),
  };
  return signRegistration(request, new TweetnaclSigner(input.device), new TweetnaclSigner(input.owner));
}

/** POSTs a signed registration to `<api>/devices`. Non-2xx → `REGISTRATION_REFUSED` with the registry's answer. */
export async function postRegistration(api: string, signed: SignedRegistration, timeoutMs = 15_000): Promise<unknown> {
  const url = `${api.replace(/\/+$/, '')}/devices`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BridgeError('REGISTRY_UNREACHABLE', `cannot reach ${url}: ${(error as Error).message}`, { url });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  if (!response.ok) {
    const detail = typeof body === 'object' && body !== null ? JSON.stringify(body) : text.slice(0, 500);
    throw new BridgeError('REGISTRATION_REFUSED', `${url} answered ${response.status}: ${detail}`, {
      status: response.status,
      url,
    });
  }
  return body;
}
