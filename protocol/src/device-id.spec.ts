import { describe, expect, it } from 'vitest';
import { assertDeviceId, deviceId, deviceIdFromPublicKey, isDeviceId, publicKeyOf } from './device-id.js';
import { ProtocolError } from './errors.js';
import { readingsTopic, deviceOfReadingsTopic, sharedReadingsSubscription } from './topics.js';

describe('device ids', () => {
  it('are base58 of the 32-byte public key, the form of a Solana address', () => {
    const key = new Uint8Array(32).fill(0);
    expect(deviceIdFromPublicKey(key)).toBe('11111111111111111111111111111111'); // the System Program's address
    const id = deviceIdFromPublicKey(new Uint8Array(32).fill(255));
    expect(Array.from(publicKeyOf(id))).toEqual(new Array(32).fill(255));
  });

  it('refuses strings that are not 32-byte keys', () => {
    for (const bad of ['', 'abc', '0OIl'.repeat(10), '1'.repeat(31), 'z'.repeat(45), 42, null]) {
      expect(isDeviceId(bad)).toBe(false);
    }
    expect(() => assertDeviceId('nope')).toThrow(ProtocolError);
    expect(() => deviceId('nope')).toThrowError(/BAD_DEVICE_ID/);
    expect(() => deviceIdFromPublicKey(new Uint8Array(31))).toThrow(ProtocolError);
  });

  it('maps topics both ways', () => {
    const id = deviceIdFromPublicKey(new Uint8Array(32).fill(3));
    expect(deviceOfReadingsTopic(readingsTopic(id))).toBe(id);
    expect(deviceOfReadingsTopic(`gt/v1/${id}/status`)).toBeUndefined();
    expect(deviceOfReadingsTopic('gt/v1/not-a-key/readings')).toBeUndefined();
    expect(sharedReadingsSubscription('ingest')).toBe('$share/ingest/gt/v1/+/readings');
  });
});
