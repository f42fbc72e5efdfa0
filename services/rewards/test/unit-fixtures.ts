import { deviceIdFromPublicKey } from '@groundtruth/protocol';
import type { HardwareKind } from '@groundtruth/protocol';
import { REWARDS_ALGORITHM_VERSION, type RewardParams } from '../src/core/params.js';
import type { DeviceRecord, EpochScore } from '../src/core/types.js';

/** Deterministic base58 ids for unit tests (device ids and wallets have the same form). */
export function testId(tag: number, prefix = 1): string {
  const bytes = new Uint8Array(32);
  bytes[0] = prefix;
  new DataView(bytes.buffer).setUint32(28, tag);
  return deviceIdFromPublicKey(bytes);
}

export const testParams: RewardParams = {
  algorithmVersion: REWARDS_ALGORITHM_VERSION,
  emission: { perEpoch: 1_000_000_000n, startEpoch: 0, halvingEpochs: 0, decayPpm: 0 },
  split: { weather: 1, vehicle: 0, energy: 1 },
  minQuality: 0.5,
  cellResolution: 8,
  cellCapacity: { weather: 2, vehicle: 0, energy: 0 },
  classMultipliers: { 'WS-PRO': 2 },
};

export function device(tag: number, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    device: testId(tag),
    kind: 'weather',
    model: 'WS-BASIC',
    owner: testId(tag, 2),
    status: 'active',
    lat: 52.09 + tag * 0.1,
    lon: 5.12,
    ...overrides,
  };
}

export function score(d: DeviceRecord, quality: number, locationScore = 1, kind: HardwareKind = d.kind): EpochScore {
  return { device: d.device, kind, quality, locationScore, reasons: [], algorithmVersion: 'qod-1.0.0' };
}
