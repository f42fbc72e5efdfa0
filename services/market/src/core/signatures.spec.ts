import { generateKeyPair, TweetnaclSigner } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { signManifest, verifyManifestSignature, type ExportManifest } from './manifest.js';
import { NetworkKey } from './network-key.js';
import { checkOwnerRequest, ownerExportMessage, type OwnerExportRequest } from './owner-auth.js';
import { MarketError } from './market-error.js';
import { orderMemo, signQuote, verifyQuoteSignature } from './quote.js';

const key = NetworkKey.fromSecret(Buffer.alloc(32, 9));
const other = NetworkKey.fromSecret(Buffer.alloc(32, 10));

const manifest: Omit<ExportManifest, 'network'> = {
  v: 1,
  type: 'groundtruth.dataset-export',
  orderId: 'o1',
  query: { kind: 'weather', metrics: ['temperature'], from: 1, to: 2, minQuality: 0, excludeFlagged: false, asOf: 3 },
  format: 'csv',
  columns: ['device'],
  file: { name: 'data.csv', bytes: 10, sha256: 'ab'.repeat(32) },
  rows: 2,
  devices: 1,
  timeRange: { first: 1, last: 1 },
  merkle: {
    algorithm: 'rfc9162-sha256',
    leaves: 'export-row-rfc8785',
    root: 'cd'.repeat(32),
    chunkSize: 1024,
    chunkRoots: ['cd'.repeat(32)],
  },
  license: {
    id: 'CC-BY-4.0',
    name: 'Creative Commons Attribution 4.0',
    url: 'https://creativecommons.org/licenses/by/4.0/',
  },
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('network signatures', () => {
  it('loads a Solana CLI keypair file and refuses a mismatched one', () => {
    const pair = generateKeyPair();
    const loaded = NetworkKey.fromKeypairJson(JSON.stringify([...pair.secretKey]));
    expect(loaded.publicKey).toBe(pair.deviceId);
    const broken = [...pair.secretKey];
    broken[40] = (broken[40]! + 1) % 256;
    expect(() => NetworkKey.fromKeypairJson(JSON.stringify(broken))).toThrow(/public half/);
    expect(() => NetworkKey.fromSecret(new Uint8Array(31))).toThrow(RangeError);
  });

  it('signs a manifest that verifies, and any change to it breaks the signature', () => {
    const signed = signManifest(manifest, key);
    expect(signed.network).toBe(key.publicKey);
    expect(verifyManifestSignature(signed)).toBe(true);
    expect(verifyManifestSignature(signed, key.publicKey)).toBe(true);
    expect(verifyManifestSignature(signed, other.publicKey)).toBe(false);
    expect(verifyManifestSignature({ ...signed, rows: 3 })).toBe(false);
    expect(verifyManifestSignature({ ...signed, merkle: { ...signed.merkle, root: 'ce'.repeat(32) } })).toBe(false);
    expect(verifyManifestSignature({ ...signed, query: { ...signed.query, asOf: 4 } })).toBe(false);
    expect(verifyManifestSignature({ ...signed, signature: 'garbage' })).toBe(false);
    // a manifest re-signed by another key verifies on its own, but not against the trusted network key
    const forged = signManifest({ ...manifest, rows: 3 }, other);
    expect(verifyManifestSignature(forged)).toBe(true);
    expect(verifyManifestSignature(forged, key.publicKey)).toBe(false);
  });

  it('signs quotes the buyer can check against the published key', () => {
    const quote = signQuote(
      {
        v: 1,
        type: 'groundtruth.quote',
        orderId: 'o1',
        query: manifest.query,
        rows: 2,
        devices: 1,
        unitPrice: '10',
        multiplierBps: 10_000,
        amount: '20',
        mint: 'M',
        treasury: 'T',
        memo: orderMemo('o1'),
        expiresAt: 5,
      },
      key,
    );
    expect(quote.memo).toBe('groundtruth:order:o1');
    expect(verifyQuoteSignature(quote, key.publicKey)).toBe(true);
    expect(verifyQuoteSignature({ ...quote, amount: '1' }, key.publicKey)).toBe(false);
    expect(verifyQuoteSignature(quote, other.publicKey)).toBe(false);
  });
});

describe('owner requests', () => {
  const owner = generateKeyPair();
  const signer = new TweetnaclSigner(owner);
  const now = 1_000_000;
  const request: OwnerExportRequest = {
    device: 'dev',
    from: 1,
    to: 2,
    expiresAt: now + 60_000,
    nonce: 'ab'.repeat(16),
  };
  const sign = (r: OwnerExportRequest) => Buffer.from(signer.sign(ownerExportMessage(r))).toString('base64');
  const code = (r: OwnerExportRequest, sig: string, wallet: string = owner.deviceId) => {
    try {
      checkOwnerRequest(r, sig, wallet, now);
      return 'OK';
    } catch (error) {
      return (error as MarketError).code;
    }
  };

  it('accepts the owner wallet signature and refuses others', () => {
    expect(code(request, sign(request))).toBe('OK');
    expect(code(request, sign(request), generateKeyPair().deviceId)).toBe('BAD_OWNER_SIGNATURE');
    expect(code({ ...request, to: 3 }, sign(request))).toBe('BAD_OWNER_SIGNATURE');
    expect(code(request, 'AAAA')).toBe('BAD_OWNER_SIGNATURE');
  });

  it('refuses expired, too long-lived and malformed requests', () => {
    const expired = { ...request, expiresAt: now - 1 };
    expect(code(expired, sign(expired))).toBe('OWNER_AUTH_EXPIRED');
    const longLived = { ...request, expiresAt: now + 3_600_000 };
    expect(code(longLived, sign(longLived))).toBe('BAD_QUERY');
    const badNonce = { ...request, nonce: 'xyz' };
    expect(code(badNonce, sign(badNonce))).toBe('BAD_QUERY');
  });
});
