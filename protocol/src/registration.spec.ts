import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json.js';
import { HARDWARE_KINDS } from './catalogue.js';
import { MAX_TIMESTAMP_MS } from './reading.js';
import {
  attestDevice,
  attestationMessage,
  isRegistrationErrorCode,
  registrationMessage,
  RegistrationError,
  signRegistration,
  signTransfer,
  solanaKeyPair,
  transferMessage,
  validateRegistrationRequest,
  verifyRegistration,
  verifyTransfer,
  type RegistrationRequest,
  type TransferRequest,
  type WalletAddress,
} from './registration.js';
import {
  keyPairFromSeed,
  NodeCryptoSigner,
  NodeCryptoVerifier,
  TweetnaclSigner,
  TweetnaclVerifier,
  type DeviceKeyPair,
} from './signing.js';

const pair = (fill: number) => keyPairFromSeed(new Uint8Array(32).fill(fill));
const device = pair(1);
const owner = pair(2);
const other = pair(3);
const maker = pair(4);
// node:crypto signs byte-for-byte like tweetnacl (ed25519 is deterministic) and is much faster for property runs.
const signer = (keys: DeviceKeyPair) => new NodeCryptoSigner(keys);
const wallet = (keys: DeviceKeyPair) => keys.deviceId as string as WalletAddress;
const verifier = new NodeCryptoVerifier();
const NOW = Date.UTC(2025, 5, 1);
const HOUR = 3_600_000;

const baseRequest: RegistrationRequest = {
  v: 1,
  type: 'register',
  device: device.deviceId,
  owner: wallet(owner),
  kind: 'weather',
  model: 'Ecowitt GW2000',
  interval_s: 60,
  location: { lat: 52.37, lon: 4.89, alt: -2 },
  nonce: '0123456789abcdef0123456789abcdef',
  expires_at: NOW + 10 * 60_000,
};

const arbitraryRequest: fc.Arbitrary<RegistrationRequest> = fc
  .record(
    {
      kind: fc.constantFrom(...HARDWARE_KINDS),
      model: fc
        .string({ minLength: 1, maxLength: 64 })
        .filter((s) => [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)),
      interval_s: fc.integer({ min: 1, max: 86_400 }),
      location: fc.record(
        {
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          lon: fc.double({ min: -180, max: 180, noNaN: true }),
          alt: fc.double({ min: -500, max: 9000, noNaN: true }),
        },
        { requiredKeys: ['lat', 'lon'] },
      ),
      nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')),
      expires_at: fc.integer({ min: NOW + 1, max: NOW + HOUR }),
    },
    { requiredKeys: ['kind', 'model', 'interval_s', 'nonce', 'expires_at'] },
  )
  .map((fields) => ({ ...baseRequest, location: undefined, ...fields }))
  .map(({ location, ...rest }) => (location === undefined ? rest : { ...rest, location }));

/** What a registry receives: the signed body after a trip through JSON text. */
const overTheWire = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const codeOf = (result: { ok: boolean; error?: RegistrationError }) => (result.ok ? 'OK' : result.error!.code);

describe('registration messages', () => {
  it('are the ASCII prefix followed by the RFC 8785 bytes of the request', () => {
    const text = registrationMessage(baseRequest).toString('utf8');
    expect(text).toBe(`gt:v1:register:${canonicalize(baseRequest)}`);
    expect(text).toBe(
      'gt:v1:register:{"device":"' +
        device.deviceId +
        '","expires_at":1748736600000,"interval_s":60,"kind":"weather","location":{"alt":-2,"lat":52.37,"lon":4.89},' +
        '"model":"Ecowitt GW2000","nonce":"0123456789abcdef0123456789abcdef","owner":"' +
        owner.deviceId +
        '","type":"register","v":1}',
    );
  });

  it('round-trip through JSON for any valid request', () => {
    fc.assert(
      fc.property(arbitraryRequest, (request) => {
        const received = overTheWire(signRegistration(request, signer(device), signer(owner)));
        const result = verifyRegistration(received, verifier, NOW);
        expect(codeOf(result)).toBe('OK');
        if (result.ok) {
          expect(canonicalize(result.value.request)).toBe(canonicalize(request));
          expect(result.value.message.equals(registrationMessage(request))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('are signed identically by tweetnacl (the bridge default) and checked alike by both verifiers', () => {
    fc.assert(
      fc.property(arbitraryRequest, (request) => {
        const viaNacl = signRegistration(request, new TweetnaclSigner(device), new TweetnaclSigner(owner));
        expect(signRegistration(request, signer(device), signer(owner))).toEqual(viaNacl);
        expect(codeOf(verifyRegistration(overTheWire(viaNacl), new TweetnaclVerifier(), NOW))).toBe('OK');
      }),
      { numRuns: 15 },
    );
  });

  it('refuse any change to any field after signing', () => {
    fc.assert(
      fc.property(arbitraryRequest, arbitraryRequest, fc.constantFrom(...Object.keys(baseRequest)), (a, b, key) => {
        const received = overTheWire(signRegistration(a, signer(device), signer(owner)));
        const replacement =
          key === 'device' || key === 'owner' ? other.deviceId : (b as unknown as Record<string, unknown>)[key];
        fc.pre(
          replacement !== undefined &&
            JSON.stringify(replacement) !== JSON.stringify((a as unknown as Record<string, unknown>)[key]),
        );
        (received.request as Record<string, unknown>)[key] = replacement;
        expect(codeOf(verifyRegistration(received, verifier, NOW))).toBe('BAD_DEVICE_SIGNATURE');
      }),
      { numRuns: 150 },
    );
  });

  it('refuse a signature with any single bit flipped', () => {
    const signed = signRegistration(baseRequest, signer(device), signer(owner));
    fc.assert(
      fc.property(
        fc.constantFrom('device_sig', 'owner_sig'),
        fc.nat({ max: 63 }),
        fc.nat({ max: 7 }),
        (field, byte, bit) => {
          const sig = Buffer.from(signed[field as 'device_sig'], 'base64');
          sig[byte]! ^= 1 << bit;
          const received = { ...overTheWire(signed), [field]: sig.toString('base64') };
          expect(codeOf(verifyRegistration(received, verifier, NOW))).toBe(
            field === 'device_sig' ? 'BAD_DEVICE_SIGNATURE' : 'BAD_OWNER_SIGNATURE',
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuse an owner signature forged by another wallet, and a device proof made by another device', () => {
    const forgedOwner = { ...signRegistration(baseRequest, signer(device), signer(owner)) };
    forgedOwner.owner_sig = Buffer.from(signer(other).sign(registrationMessage(baseRequest))).toString('base64');
    expect(codeOf(verifyRegistration(forgedOwner, verifier, NOW))).toBe('BAD_OWNER_SIGNATURE');

    const wrongDevice = { ...signRegistration(baseRequest, signer(device), signer(owner)) };
    wrongDevice.device_sig = Buffer.from(signer(other).sign(registrationMessage(baseRequest))).toString('base64');
    expect(codeOf(verifyRegistration(wrongDevice, verifier, NOW))).toBe('BAD_DEVICE_SIGNATURE');

    const signed = signRegistration(baseRequest, signer(device), signer(owner));
    const swapped = { ...signed, device_sig: signed.owner_sig, owner_sig: signed.device_sig };
    expect(codeOf(verifyRegistration(swapped, verifier, NOW))).toBe('BAD_DEVICE_SIGNATURE');
    expect(codeOf(verifyRegistration({ ...signed, owner_sig: undefined }, verifier, NOW))).toBe('BAD_OWNER_SIGNATURE');
    expect(codeOf(verifyRegistration({ ...signed, device_sig: 'AAAA' }, verifier, NOW))).toBe('MALFORMED_SIGNATURE');
  });

  it('refuse an expired request and one whose expiry lies too far ahead', () => {
    const at = (expires_at: number) =>
      codeOf(
        verifyRegistration(
          signRegistration({ ...baseRequest, expires_at }, signer(device), signer(owner)),
          verifier,
          NOW,
        ),
      );
    expect(at(NOW - 1)).toBe('REQUEST_EXPIRED');
    expect(at(NOW)).toBe('REQUEST_EXPIRED');
    expect(at(NOW + 1)).toBe('OK');
    expect(at(NOW + HOUR)).toBe('OK');
    expect(at(NOW + HOUR + 1)).toBe('EXPIRY_TOO_FAR');
    const signed = signRegistration({ ...baseRequest, expires_at: NOW + 2 * HOUR }, signer(device), signer(owner));
    expect(codeOf(verifyRegistration(signed, verifier, NOW, { maxValidityMs: 3 * HOUR }))).toBe('OK');
  });

  it('check a maker attestation over the device key when the request names a maker', () => {
    const request = { ...baseRequest, maker: wallet(maker) };
    const attestation = attestDevice(device.deviceId, signer(maker));
    const good = verifyRegistration(
      signRegistration(request, signer(device), signer(owner), attestation),
      verifier,
      NOW,
    );
    expect(good.ok && good.value.makerSig?.length).toBe(64);
    const missing = signRegistration(request, signer(device), signer(owner));
    expect(codeOf(verifyRegistration(missing, verifier, NOW))).toBe('MAKER_SIGNATURE_MISSING');
    const byOther = signRegistration(
      request,
      signer(device),
      signer(owner),
      attestDevice(device.deviceId, signer(other)),
    );
    expect(codeOf(verifyRegistration(byOther, verifier, NOW))).toBe('BAD_MAKER_SIGNATURE');
    const forOtherDevice = signRegistration(
      request,
      signer(device),
      signer(owner),
      attestDevice(other.deviceId, signer(maker)),
    );
    expect(codeOf(verifyRegistration(forOtherDevice, verifier, NOW))).toBe('BAD_MAKER_SIGNATURE');
    const unnamed = signRegistration(baseRequest, signer(device), signer(owner), attestation);
    expect(codeOf(verifyRegistration(unnamed, verifier, NOW))).toBe('SCHEMA');
  });

  it('keep the purposes apart: a registration signature verifies neither as a transfer nor as an attestation', () => {
    const message = registrationMessage(baseRequest);
    const sig = signer(owner).sign(message);
    const transfer: TransferRequest = {
      ...baseRequest,
      type: 'transfer',
      from_owner: wallet(owner),
      to_owner: wallet(other),
    };
    expect(verifier.verify(owner.deviceId, transferMessage(transfer), sig)).toBe(false);
    expect(verifier.verify(owner.deviceId, attestationMessage(device.deviceId), sig)).toBe(false);
    expect(attestationMessage(device.deviceId).subarray(0, 13).toString('ascii')).toBe('gt:v1:attest:');
  });

  it('refuses signing with a key the request does not name', () => {
    expect(() => signRegistration(baseRequest, signer(other), signer(owner))).toThrow(RegistrationError);
    expect(() => signRegistration(baseRequest, signer(device), signer(other))).toThrow(/SIGNER_MISMATCH/);
  });
});

describe('validateRegistrationRequest', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an unknown field', { extra: 1 }, 'SCHEMA', 'request.extra'],
    ['another version', { v: 2 }, 'UNSUPPORTED_VERSION', 'request.v'],
    ['another type', { type: 'transfer' }, 'SCHEMA', 'request.type'],
    ['a device that is no key', { device: 'abc' }, 'BAD_DEVICE_ID', 'request.device'],
    ['an owner that is no wallet', { owner: '0OIl' }, 'BAD_WALLET', 'request.owner'],
    ['an unknown kind', { kind: 'seismic' }, 'UNKNOWN_KIND', 'request.kind'],
    ['an empty model', { model: '' }, 'BAD_MODEL', 'request.model'],
    ['a model with a newline', { model: 'a\nb' }, 'BAD_MODEL', 'request.model'],
    ['a model of 65 characters', { model: 'x'.repeat(65) }, 'BAD_MODEL', 'request.model'],
    ['a zero interval', { interval_s: 0 }, 'BAD_INTERVAL', 'request.interval_s'],
    ['a fractional interval', { interval_s: 1.5 }, 'BAD_INTERVAL', 'request.interval_s'],
    ['a latitude beyond the pole', { location: { lat: 91, lon: 0 } }, 'BAD_LOCATION', 'request.location'],
    ['a location without lon', { location: { lat: 1 } }, 'BAD_LOCATION', 'request.location.lon'],
    ['a location with hdop', { location: { lat: 1, lon: 1, hdop: 1 } }, 'SCHEMA', 'request.location.hdop'],
    ['an upper-case nonce', { nonce: '0123456789ABCDEF0123456789ABCDEF' }, 'BAD_NONCE', 'request.nonce'],
    ['a short nonce', { nonce: 'abcd' }, 'BAD_NONCE', 'request.nonce'],
    ['an expiry in seconds', { expires_at: 1_700_000_000 }, 'BAD_EXPIRY', 'request.expires_at'],
    ['an expiry after 2100', { expires_at: MAX_TIMESTAMP_MS }, 'BAD_EXPIRY', 'request.expires_at'],
    ['a maker that is no key', { maker: 'nope' }, 'BAD_WALLET', 'request.maker'],
  ];
  it.each(cases)('refuses %s with a stable code and the field path', (_name, change, code, path) => {
    const result = validateRegistrationRequest({ ...baseRequest, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.context.path).toBe(path);
    }
  });

  it('never throws on arbitrary JSON and always answers with a known code', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const result of [
          validateRegistrationRequest(value),
          verifyRegistration(value, verifier, NOW),
          verifyTransfer(value, verifier, NOW),
        ]) {
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(isRegistrationErrorCode(result.error.code)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('ownership transfers', () => {
  const transfer: TransferRequest = {
    v: 1,
    type: 'transfer',
    device: device.deviceId,
    from_owner: wallet(owner),
    to_owner: wallet(other),
    nonce: 'fedcba9876543210fedcba9876543210',
    expires_at: NOW + 60_000,
  };

  it('verify when the old and the new owner both signed', () => {
    const result = verifyTransfer(overTheWire(signTransfer(transfer, signer(owner), signer(other))), verifier, NOW);
    expect(codeOf(result)).toBe('OK');
    expect(transferMessage(transfer).toString('utf8')).toBe(`gt:v1:transfer:${canonicalize(transfer)}`);
  });

  it('are refused without the new owner, with the wrong old owner, when expired, or between one wallet', () => {
    const signed = signTransfer(transfer, signer(owner), signer(other));
    const { to_sig: _dropped, ...withoutNew } = signed;
    expect(codeOf(verifyTransfer(withoutNew, verifier, NOW))).toBe('TRANSFER_NOT_SIGNED_BY_NEW_OWNER');
    expect(codeOf(verifyTransfer({ ...signed, to_sig: '' }, verifier, NOW))).toBe('TRANSFER_NOT_SIGNED_BY_NEW_OWNER');
    expect(codeOf(verifyTransfer({ ...signed, to_sig: signed.from_sig }, verifier, NOW))).toBe(
      'TRANSFER_NOT_SIGNED_BY_NEW_OWNER',
    );
    expect(codeOf(verifyTransfer({ ...signed, from_sig: signed.to_sig }, verifier, NOW))).toBe(
      'TRANSFER_NOT_SIGNED_BY_OLD_OWNER',
    );
    const stolen = { ...transfer, from_owner: wallet(maker) };
    const byThief = { request: stolen, from_sig: signed.from_sig, to_sig: signed.to_sig };
    expect(codeOf(verifyTransfer(byThief, verifier, NOW))).toBe('TRANSFER_NOT_SIGNED_BY_OLD_OWNER');
    expect(codeOf(verifyTransfer(signed, verifier, transfer.expires_at))).toBe('REQUEST_EXPIRED');
    const same = { ...transfer, to_owner: transfer.from_owner };
    expect(codeOf(verifyTransfer({ ...signed, request: same }, verifier, NOW))).toBe('SAME_OWNER');
  });
});

describe('solanaKeyPair', () => {
  it('reads a Solana keypair file (secret seed ‖ public key) and refuses a mismatched one', () => {
    const file = JSON.parse(JSON.stringify(Array.from(owner.secretKey))) as unknown;
    const result = solanaKeyPair(file);
    expect(result.ok && result.value.deviceId).toBe(owner.deviceId);
    const mismatched = [...owner.secretKey.subarray(0, 32), ...other.publicKey];
    expect(codeOf(solanaKeyPair(mismatched))).toBe('BAD_KEYPAIR');
    expect(codeOf(solanaKeyPair([1, 2, 3]))).toBe('BAD_KEYPAIR');
    expect(codeOf(solanaKeyPair([...owner.secretKey.subarray(0, 63), 256]))).toBe('BAD_KEYPAIR');
  });
});
