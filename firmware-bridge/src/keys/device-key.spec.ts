import { generateKeyPair, NodeCryptoVerifier, verifyRegistration } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import { decodeKeyFile, encodeKeyFile } from './device-key.js';
import { buildRegistration } from './registration-client.js';

describe('device key files', () => {
  const pair = generateKeyPair();

  it('round-trips the JSON and the raw 64-byte forms, and accepts a Solana-style array', () => {
    for (const content of [
      encodeKeyFile(pair, 'json'),
      encodeKeyFile(pair, 'raw'),
      Buffer.from(JSON.stringify(Array.from(pair.secretKey))),
    ]) {
      expect(decodeKeyFile(content).deviceId).toBe(pair.deviceId);
    }
    expect(encodeKeyFile(pair, 'raw')).toHaveLength(64);
  });

  it('refuses a key whose public half does not belong to its seed, or whose claimed device differs', () => {
    const tampered = Buffer.from(pair.secretKey);
    tampered[40] = tampered[40]! ^ 1;
    expect(() => decodeKeyFile(tampered)).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
    const other = generateKeyPair();
    const lying = JSON.stringify({ ...JSON.parse(encodeKeyFile(pair, 'json').toString()), device: other.deviceId });
    expect(() => decodeKeyFile(Buffer.from(lying))).toThrow(/does not match/);
    expect(() => decodeKeyFile(Buffer.from('{"type":"nope"}'))).toThrow(
      expect.objectContaining({ code: 'BAD_KEY_FILE' }),
    );
    expect(() => decodeKeyFile(Buffer.from('not json at all'))).toThrow(
      expect.objectContaining({ code: 'BAD_KEY_FILE' }),
    );
  });

  it('never puts key bytes into an error message', () => {
    const bad = Buffer.concat([Buffer.from(pair.secretKey), Buffer.from([1])]);
    try {
      decodeKeyFile(bad);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(
        Buffer.from(pair.secretKey).toString('base64').slice(0, 16),
      );
    }
  });
});

describe('buildRegistration', () => {
  it('produces a request the registry verifies: device proof of possession and owner signature', () => {
    const device = generateKeyPair();
    const owner = generateKeyPair();
    const now = Date.UTC(2026, 0, 1);
    const signed = buildRegistration({
      device,
      owner,
      kind: 'energy',
      model: 'SDM630',
      intervalS: 10,
      location: { lat: 52, lon: 5, alt: 3 },
      now,
    });
    expect(signed.request).toMatchObject({
      device: device.deviceId,
      owner: owner.deviceId,
      kind: 'energy',
      interval_s: 10,
      expires_at: now + 600_000,
    });
    const verified = verifyRegistration(JSON.parse(JSON.stringify(signed)), new NodeCryptoVerifier(), now + 1000);
    expect(verified.ok).toBe(true);
    const swapped = { ...signed, owner_sig: signed.device_sig };
    const refused = verifyRegistration(JSON.parse(JSON.stringify(swapped)), new NodeCryptoVerifier(), now + 1000);
    expect(!refused.ok && refused.error.code).toBe('BAD_OWNER_SIGNATURE');
  });
});
