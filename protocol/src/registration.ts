import { randomBytes } from 'node:crypto';
import { canonicalize } from './canonical-json.js';
import { isHardwareKind, type HardwareKind } from './catalogue.js';
import { isDeviceId, publicKeyOf, type DeviceId } from './device-id.js';
import { err, ok, type Result } from './errors.js';
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from './reading.js';
import { keyPairFromSeed, type DeviceKeyPair, type SignatureVerifier, type Signer } from './signing.js';

/**
 * Device registration and ownership transfer. register: `gt:v1:register:` ‖ RFC 8785 bytes of a
 * {@link RegistrationRequest}, signed by the device key (proof of possession) and the owner wallet. transfer:
 * `gt:v1:transfer:` ‖ RFC 8785 bytes of a {@link TransferRequest}, signed by the old and the new owner. attest:
 * `gt:v1:attest:` ‖ the device's 32-byte public key, signed by a maker key at manufacture (Helium's model), before
 * owner or nonce are known. The prefixes keep these apart from reading bodies and batch roots (`gt:v1:batch:`). A
 * nonce and an expiry make a signed request single-use: the registry keeps used nonces until the request expires.
 */
export const REGISTRATION_PREFIX = 'gt:v1:register:';
export const TRANSFER_PREFIX = 'gt:v1:transfer:';
export const ATTESTATION_PREFIX = 'gt:v1:attest:';

export const NONCE_PATTERN = /^[0-9a-f]{32}$/;
export const MODEL_MAX_LENGTH = 64;
export const MIN_INTERVAL_S = 1;
export const MAX_INTERVAL_S = 86_400;
/** Default longest time between now and `expires_at` a verifier accepts. */
export const DEFAULT_MAX_REQUEST_VALIDITY_MS = 60 * 60 * 1000;

/** Stable codes: never renumbered, renamed or reused; add new ones at the end. */
// prettier-ignore
export const REGISTRATION_ERROR_CODES = [
  // shape of the request
  'SCHEMA', 'UNSUPPORTED_VERSION', 'BAD_DEVICE_ID', 'BAD_WALLET', 'UNKNOWN_KIND', 'BAD_MODEL', 'BAD_INTERVAL',
  'BAD_LOCATION', 'BAD_NONCE', 'BAD_EXPIRY', 'MALFORMED_SIGNATURE',
  // signatures and validity window
  'BAD_DEVICE_SIGNATURE', 'BAD_OWNER_SIGNATURE', 'BAD_MAKER_SIGNATURE', 'MAKER_SIGNATURE_MISSING', 'REQUEST_EXPIRED',
  'EXPIRY_TOO_FAR',
  // transfers
  'SAME_OWNER', 'TRANSFER_NOT_SIGNED_BY_OLD_OWNER', 'TRANSFER_NOT_SIGNED_BY_NEW_OWNER',
  // local helpers (signing, key files)
  'SIGNER_MISMATCH', 'BAD_KEYPAIR',
] as const;
export type RegistrationErrorCode = (typeof REGISTRATION_ERROR_CODES)[number];

export function isRegistrationErrorCode(value: unknown): value is RegistrationErrorCode {
  return typeof value === 'string' && (REGISTRATION_ERROR_CODES as readonly string[]).includes(value);
}

/** The only error registration and transfer checks produce; `path` names the offending field. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
  constructor(
    readonly code: RegistrationErrorCode,
    message: string,
    readonly context: { readonly path?: string; readonly detail?: string } = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export type RegistrationResult<T> = Result<T, RegistrationError>;

declare const walletBrand: unique symbol;
/** A Solana wallet address: base58 of a 32-byte ed25519 public key (the same form as a {@link DeviceId}). */
export type WalletAddress = string & { readonly [walletBrand]: true };

export function isWalletAddress(value: unknown): value is WalletAddress {
  return isDeviceId(value);
}

/** Brands a string after checking it; throws a `BAD_WALLET` RegistrationError otherwise. */
export function walletAddress(value: string): WalletAddress {
  if (!isWalletAddress(value)) {
    throw new RegistrationError('BAD_WALLET', 'not the base58 form of a 32-byte ed25519 public key');
  }
  return value;
}

/** Where the owner says the device is installed (WGS 84, metres above mean sea level). */
export interface DeclaredLocation {
  readonly lat: number;
  readonly lon: number;
  readonly alt?: number;
}

export interface RegistrationRequest {
  readonly v: 1;
  readonly type: 'register';
  readonly device: DeviceId;
  readonly owner: WalletAddress;
  readonly kind: HardwareKind;
  readonly model: string;
  /** declared seconds between readings */
  readonly interval_s: number;
  readonly location?: DeclaredLocation;
  /** 32 lowercase hex characters, random per request */
  readonly nonce: string;
  /** integer ms UTC after which the request is refused */
  readonly expires_at: number;
  /** the maker key that attested the device, if any */
  readonly maker?: WalletAddress;
}

/** The HTTP body POSTed to `<registry>/devices`; signatures are standard base64 of 64 bytes. */
export interface SignedRegistration {
  readonly request: RegistrationRequest;
  readonly device_sig: string;
  readonly owner_sig: string;
  readonly maker_sig?: string;
}

export interface TransferRequest {
  readonly v: 1;
  readonly type: 'transfer';
  readonly device: DeviceId;
  readonly from_owner: WalletAddress;
  readonly to_owner: WalletAddress;
  readonly nonce: string;
  readonly expires_at: number;
}

/** The HTTP body POSTed to `<registry>/devices/<id>/transfer`. */
export interface SignedTransfer {
  readonly request: TransferRequest;
  readonly from_sig: string;
  readonly to_sig: string;
}

const encoder = new TextEncoder();
const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const keySet = (names: string) => new Set(names.split(' '));
const REGISTRATION_KEYS = keySet('v type device owner kind model interval_s location nonce expires_at maker');
const TRANSFER_KEYS = keySet('v type device from_owner to_owner nonce expires_at');
const LOCATION_KEYS = keySet('lat lon alt');
const SIGNED_REGISTRATION_KEYS = keySet('request device_sig owner_sig maker_sig');
const SIGNED_TRANSFER_KEYS = keySet('request from_sig to_sig');

/** C0 controls and DEL: a model name is shown in UIs and logs, where they could forge lines. */
const hasControlCharacter = (text: string): boolean =>
  [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isIntIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const isModel = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MODEL_MAX_LENGTH && !hasControlCharacter(value);

const fail = (code: RegistrationErrorCode, message: string, path?: string): RegistrationResult<never> =>
  err(new RegistrationError(code, message, path === undefined ? {} : { path }));

function unknownKey(raw: Record<string, unknown>, allowed: ReadonlySet<string>, path: string) {
  const extra = Object.keys(raw).find((key) => !allowed.has(key));
  return extra === undefined
    ? undefined
    : fail('SCHEMA', `unknown field "${extra}"`, path ? `${path}.${extra}` : extra);
}

function prefixed(prefix: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'ascii'), body]);
}

/** The exact bytes the device and the owner wallet sign: `gt:v1:register:` ‖ RFC 8785 bytes of the request. */
export function registrationMessage(req: RegistrationRequest): Buffer {
  return prefixed(REGISTRATION_PREFIX, encoder.encode(canonicalize(req)));
}

/** The exact bytes the old and the new owner sign: `gt:v1:transfer:` ‖ RFC 8785 bytes of the request. */
export function transferMessage(req: TransferRequest): Buffer {
  return prefixed(TRANSFER_PREFIX, encoder.encode(canonicalize(req)));
}

/** What a maker key signs at manufacture: `gt:v1:attest:` ‖ the device's 32-byte public key. */
export function attestationMessage(device: DeviceId): Buffer {
  return prefixed(ATTESTATION_PREFIX, publicKeyOf(device));
}

/** 16 random bytes as 32 lowercase hex characters. */
export function randomNonce(): string {
  return randomBytes(16).toString('hex');
}

const b64 = (signature: Uint8Array): string => Buffer.from(signature).toString('base64');

function requireSigner(signer: Signer, expected: string, role: string): void {
  if (signer.deviceId !== expected) {
    throw new RegistrationError('SIGNER_MISMATCH', `the ${role} signer's key is not ${expected}`, { path: role });
  }
}

/** A maker's attestation of a device key: base64 of the signature over {@link attestationMessage}. */
export function attestDevice(device: DeviceId, makerSigner: Signer): string {
  return b64(makerSigner.sign(attestationMessage(device)));
}

/**
 * Signs a registration with the device key and the owner wallet (a wallet's ed25519 key pair works as a
 * {@link Signer}). Throws `SIGNER_MISMATCH` if a signer's key is not the one the request names.
 *
 * @example
 * const signed = signRegistration(req, new TweetnaclSigner(deviceKeys), new TweetnaclSigner(walletKeys));
 * await fetch(`${registryUrl}/devices`, { method: 'POST', body: JSON.stringify(signed), headers });
 */
export function signRegistration(
  req: RegistrationRequest,
  deviceSigner: Signer,
  ownerSigner: Signer,
  makerSig?: string,
): SignedRegistration {
  requireSigner(deviceSigner, req.device, 'device');
  requireSigner(ownerSigner, req.owner, 'owner');
  const message = registrationMessage(req);
  const signed = {
    request: req,
    device_sig: b64(deviceSigner.sign(message)),
    owner_sig: b64(ownerSigner.sign(message)),
  };
  return makerSig === undefined ? signed : { ...signed, maker_sig: makerSig };
}

/** Signs a transfer with the old and the new owner's wallets. Throws `SIGNER_MISMATCH` on the wrong keys. */
export function signTransfer(req: TransferRequest, fromSigner: Signer, toSigner: Signer): SignedTransfer {
  requireSigner(fromSigner, req.from_owner, 'from_owner');
  requireSigner(toSigner, req.to_owner, 'to_owner');
  const message = transferMessage(req);
  return { request: req, from_sig: b64(fromSigner.sign(message)), to_sig: b64(toSigner.sign(message)) };
}

/**
 * A wallet key pair from a Solana keypair file's content (a JSON array of 64 byte values: secret seed ‖ public
 * key). Refuses arrays whose public half does not belong to the seed.
 */
export function solanaKeyPair(raw: unknown): RegistrationResult<DeviceKeyPair> {
  if (!Array.isArray(raw) || raw.length !== 64 || !raw.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return fail('BAD_KEYPAIR', 'a Solana keypair is a JSON array of 64 byte values');
  }
  const bytes = Uint8Array.from(raw as number[]);
  const pair = keyPairFromSeed(bytes.subarray(0, 32));
  if (!Buffer.from(pair.publicKey).equals(bytes.subarray(32))) {
    return fail('BAD_KEYPAIR', 'the public key half does not match the secret seed');
  }
  return ok(pair);
}

function validateLocation(raw: unknown, path: string): RegistrationResult<DeclaredLocation> {
  if (!isRecord(raw)) {
    return fail('SCHEMA', 'location must be an object', path);
  }
  const extra = unknownKey(raw, LOCATION_KEYS, path);
  if (extra) {
    return extra;
  }
  for (const key of ['lat', 'lon', 'alt'] as const) {
    const value = raw[key];
    if ((key !== 'alt' || value !== undefined) && (typeof value !== 'number' || !Number.isFinite(value))) {
      return fail('BAD_LOCATION', `${key} must be a finite number`, `${path}.${key}`);
    }
  }
  const { lat, lon, alt } = raw as { lat: number; lon: number; alt?: number };
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
    return fail('BAD_LOCATION', 'lat must lie in [-90, 90] and lon in [-180, 180]', path);
  }
  return ok(alt === undefined ? { lat, lon } : { lat, lon, alt });
}

function checkCommon(raw: Record<string, unknown>, type: string, path: string): RegistrationResult<never> | undefined {
  if (raw.v !== 1) {
    return typeof raw.v === 'number'
      ? fail('UNSUPPORTED_VERSION', `version ${raw.v} is not supported (this is v1)`, `${path}.v`)
      : fail('SCHEMA', 'v must be the number 1', `${path}.v`);
  }
  if (raw.type !== type) {
    return fail('SCHEMA', `type must be "${type}"`, `${path}.type`);
  }
  if (!isDeviceId(raw.device)) {
    return fail('BAD_DEVICE_ID', 'device must be base58 of a 32-byte ed25519 public key', `${path}.device`);
  }
  if (typeof raw.nonce !== 'string' || !NONCE_PATTERN.test(raw.nonce)) {
    return fail('BAD_NONCE', 'nonce must be 32 lowercase hex characters', `${path}.nonce`);
  }
  if (!isIntIn(raw.expires_at, MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS - 1)) {
    return fail('BAD_EXPIRY', 'expires_at must be integer ms UTC between 2020 and 2100', `${path}.expires_at`);
  }
  return undefined;
}

/**
 * Validates an untrusted, JSON-parsed registration request. Never throws. Unknown fields are refused, so the
 * canonical bytes of the returned value are exactly those of the input: what the signers signed.
 */
export function validateRegistrationRequest(raw: unknown, path = 'request'): RegistrationResult<RegistrationRequest> {
  if (!isRecord(raw)) {
    return fail('SCHEMA', 'a registration request must be a JSON object', path);
  }
  const bad = unknownKey(raw, REGISTRATION_KEYS, path) ?? checkCommon(raw, 'register', path);
  if (bad) {
    return bad;
  }
  if (!isWalletAddress(raw.owner)) {
    return fail('BAD_WALLET', 'owner must be a base58 Solana wallet address', `${path}.owner`);
  }
  if (!isHardwareKind(raw.kind)) {
    return fail('UNKNOWN_KIND', 'kind must be one of weather, vehicle, energy', `${path}.kind`);
  }
  const { model, interval_s } = raw;
  if (!isModel(model)) {
    return fail(
      'BAD_MODEL',
      `model must be 1 to ${MODEL_MAX_LENGTH} characters, no control characters`,
      `${path}.model`,
    );
  }
  if (!isIntIn(interval_s, MIN_INTERVAL_S, MAX_INTERVAL_S)) {
    return fail('BAD_INTERVAL', `interval_s must be an integer in [1, ${MAX_INTERVAL_S}]`, `${path}.interval_s`);
  }
  if (raw.maker !== undefined && !isWalletAddress(raw.maker)) {
    return fail('BAD_WALLET', 'maker must be base58 of a 32-byte ed25519 public key', `${path}.maker`);
  }
  let location: DeclaredLocation | undefined;
  if (raw.location !== undefined) {
    const result = validateLocation(raw.location, `${path}.location`);
    if (!result.ok) {
      return result;
    }
    location = result.value;
  }
  const { device, owner, kind, nonce, expires_at, maker } = raw as unknown as RegistrationRequest;
  const request: RegistrationRequest = {
    v: 1,
    type: 'register',
    device,
    owner,
    kind,
    model,
    interval_s,
    nonce,
    expires_at,
  };
  return ok({ ...request, ...(location && { location }), ...(maker && { maker }) });
}

/** Validates an untrusted transfer request. Never throws; refuses unknown fields and `from_owner === to_owner`. */
export function validateTransferRequest(raw: unknown, path = 'request'): RegistrationResult<TransferRequest> {
  if (!isRecord(raw)) {
    return fail('SCHEMA', 'a transfer request must be a JSON object', path);
  }
  const bad = unknownKey(raw, TRANSFER_KEYS, path) ?? checkCommon(raw, 'transfer', path);
  if (bad) {
    return bad;
  }
  for (const key of ['from_owner', 'to_owner'] as const) {
    if (!isWalletAddress(raw[key])) {
      return fail('BAD_WALLET', `${key} must be a base58 Solana wallet address`, `${path}.${key}`);
    }
  }
  if (raw.from_owner === raw.to_owner) {
    return fail('SAME_OWNER', 'from_owner and to_owner are the same wallet', `${path}.to_owner`);
  }
  const { device, from_owner, to_owner, nonce, expires_at } = raw as unknown as TransferRequest;
  return ok({ v: 1, type: 'transfer', device, from_owner, to_owner, nonce, expires_at });
}

export interface VerifyRequestOptions {
  /** longest accepted time from `now` to `expires_at` (default {@link DEFAULT_MAX_REQUEST_VALIDITY_MS}) */
  readonly maxValidityMs?: number;
}

export interface VerifiedRegistration {
  readonly request: RegistrationRequest;
  /** exactly the bytes both signatures cover */
  readonly message: Buffer;
  readonly deviceSig: Buffer;
  readonly ownerSig: Buffer;
  readonly makerSig?: Buffer;
}

export interface VerifiedTransfer {
  readonly request: TransferRequest;
  readonly message: Buffer;
  readonly fromSig: Buffer;
  readonly toSig: Buffer;
}

function decodeSignature(raw: unknown, path: string, missing: RegistrationErrorCode): RegistrationResult<Buffer> {
  if (raw === undefined || raw === null || raw === '') {
    return fail(missing, `${path} is missing`, path);
  }
  if (typeof raw !== 'string' || !BASE64_SIGNATURE.test(raw)) {
    return fail('MALFORMED_SIGNATURE', `${path} must be standard base64 of 64 bytes`, path);
  }
  return ok(Buffer.from(raw, 'base64'));
}

function checkExpiry(
  expiresAt: number,
  now: number,
  options: VerifyRequestOptions,
): RegistrationResult<never> | undefined {
  if (expiresAt <= now) {
    return fail('REQUEST_EXPIRED', `the request expired ${now - expiresAt} ms ago`, 'request.expires_at');
  }
  const maxValidityMs = options.maxValidityMs ?? DEFAULT_MAX_REQUEST_VALIDITY_MS;
  if (expiresAt - now > maxValidityMs) {
    return fail('EXPIRY_TOO_FAR', `expires_at may lie at most ${maxValidityMs} ms ahead`, 'request.expires_at');
  }
  return undefined;
}

// A wallet address has the form of a device id; the verifier only needs the base58 public key.
const asKey = (wallet: WalletAddress): DeviceId => wallet as string as DeviceId;

/**
 * Checks a received {@link SignedRegistration}: its shape, the device's proof of possession, the owner's wallet
 * signature, the maker attestation when the request names a maker, then the expiry window against `now`
 * (ms UTC). Never throws. Nonce reuse is the registry's check: it needs storage.
 */
export function verifyRegistration(
  raw: unknown,
  verifier: SignatureVerifier,
  now: number,
  options: VerifyRequestOptions = {},
): RegistrationResult<VerifiedRegistration> {
  if (!isRecord(raw)) {
    return fail('SCHEMA', 'a signed registration must be a JSON object');
  }
  const request = unknownKey(raw, SIGNED_REGISTRATION_KEYS, '') ?? validateRegistrationRequest(raw.request);
  if (!request.ok) {
    return request;
  }
  const req = request.value;
  const deviceSig = decodeSignature(raw.device_sig, 'device_sig', 'BAD_DEVICE_SIGNATURE');
  const ownerSig = decodeSignature(raw.owner_sig, 'owner_sig', 'BAD_OWNER_SIGNATURE');
  if (!deviceSig.ok || !ownerSig.ok) {
    return !deviceSig.ok ? deviceSig : (ownerSig as RegistrationResult<never>);
  }
  if (req.maker === undefined && raw.maker_sig !== undefined) {
    return fail('SCHEMA', 'maker_sig needs request.maker to name the maker key', 'maker_sig');
  }
  const makerSig =
    req.maker === undefined ? undefined : decodeSignature(raw.maker_sig, 'maker_sig', 'MAKER_SIGNATURE_MISSING');
  if (makerSig && !makerSig.ok) {
    return makerSig;
  }
  const message = registrationMessage(req);
  if (!verifier.verify(req.device, message, deviceSig.value)) {
    return fail('BAD_DEVICE_SIGNATURE', "device_sig is not the device key's signature of the request", 'device_sig');
  }
  if (!verifier.verify(asKey(req.owner), message, ownerSig.value)) {
    return fail('BAD_OWNER_SIGNATURE', "owner_sig is not the owner wallet's signature of the request", 'owner_sig');
  }
  if (req.maker && makerSig?.ok && !verifier.verify(asKey(req.maker), attestationMessage(req.device), makerSig.value)) {
    return fail('BAD_MAKER_SIGNATURE', "maker_sig is not the maker key's attestation of this device", 'maker_sig');
  }
  const expired = checkExpiry(req.expires_at, now, options);
  if (expired) {
    return expired;
  }
  const verified = { request: req, message, deviceSig: deviceSig.value, ownerSig: ownerSig.value };
  return ok(makerSig?.ok ? { ...verified, makerSig: makerSig.value } : verified);
}

/**
 * Checks a received {@link SignedTransfer}: shape, the old owner's and the new owner's signatures over the same
 * message, then the expiry window. Never throws. Whether `from_owner` is the current owner is the registry's check.
 */
export function verifyTransfer(
  raw: unknown,
  verifier: SignatureVerifier,
  now: number,
  options: VerifyRequestOptions = {},
): RegistrationResult<VerifiedTransfer> {
  if (!isRecord(raw)) {
    return fail('SCHEMA', 'a signed transfer must be a JSON object');
  }
  const request = unknownKey(raw, SIGNED_TRANSFER_KEYS, '') ?? validateTransferRequest(raw.request);
  if (!request.ok) {
    return request;
  }
  const req = request.value;
  const fromSig = decodeSignature(raw.from_sig, 'from_sig', 'TRANSFER_NOT_SIGNED_BY_OLD_OWNER');
  const toSig = decodeSignature(raw.to_sig, 'to_sig', 'TRANSFER_NOT_SIGNED_BY_NEW_OWNER');
  if (!fromSig.ok || !toSig.ok) {
    return !fromSig.ok ? fromSig : (toSig as RegistrationResult<never>);
  }
  const message = transferMessage(req);
  if (!verifier.verify(asKey(req.from_owner), message, fromSig.value)) {
    return fail('TRANSFER_NOT_SIGNED_BY_OLD_OWNER', "from_sig is not from_owner's signature of it", 'from_sig');
  }
  if (!verifier.verify(asKey(req.to_owner), message, toSig.value)) {
    return fail('TRANSFER_NOT_SIGNED_BY_NEW_OWNER', "to_sig is not to_owner's signature of the request", 'to_sig');
  }
  return (
    checkExpiry(req.expires_at, now, options) ??
    ok({ request: req, message, fromSig: fromSig.value, toSig: toSig.value })
  );
}
