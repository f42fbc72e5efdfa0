import { keyPairFromSeed, NodeCryptoSigner } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { ScoringApiError } from '../http/api-error.js';
import { appealMessage, checkAppeal, type AppealRequest } from './appeal-request.js';

const owner = keyPairFromSeed(new Uint8Array(32).fill(7));
const other = keyPairFromSeed(new Uint8Array(32).fill(8));
const NOW = Date.UTC(2026, 5, 2);
const request: AppealRequest = {
  device: keyPairFromSeed(new Uint8Array(32).fill(9)).deviceId,
  epoch: 7,
  version: 'qod-1.1.0',
  reason: 'the stuck check flagged a calm night',
  expires_at: NOW + 60_000,
};
const sign = (keys: typeof owner, r: AppealRequest) =>
  Buffer.from(new NodeCryptoSigner(keys).sign(appealMessage(r))).toString('base64');

const codeOf = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    return (error as ScoringApiError).code;
  }
  return 'none';
};

describe('checkAppeal', () => {
  it("accepts the owner wallet's signature over the request", () => {
    expect(codeOf(() => checkAppeal(request, sign(owner, request), owner.deviceId, NOW, 900_000))).toBe('none');
  });

  it('signs a domain-separated RFC 8785 message', () => {
    expect(appealMessage(request).toString('utf8')).toBe(
      `gt:v1:scoring-appeal:{"device":"${request.device}","epoch":7,"expires_at":${NOW + 60_000},"reason":"the stuck check flagged a calm night","version":"qod-1.1.0"}`,
    );
  });

  it('refuses another key, an altered request, expiry and too long a validity', () => {
    expect(codeOf(() => checkAppeal(request, sign(other, request), owner.deviceId, NOW, 900_000))).toBe(
      'BAD_OWNER_SIGNATURE',
    );
    const altered = { ...request, epoch: 8 };
    expect(codeOf(() => checkAppeal(altered, sign(owner, request), owner.deviceId, NOW, 900_000))).toBe(
      'BAD_OWNER_SIGNATURE',
    );
    expect(codeOf(() => checkAppeal(request, 'not base64', owner.deviceId, NOW, 900_000))).toBe('BAD_OWNER_SIGNATURE');
    expect(codeOf(() => checkAppeal(request, sign(owner, request), owner.deviceId, NOW + 60_001, 900_000))).toBe(
      'REQUEST_EXPIRED',
    );
    expect(codeOf(() => checkAppeal(request, sign(owner, request), owner.deviceId, NOW, 30_000))).toBe(
      'EXPIRY_TOO_FAR',
    );
  });
});
