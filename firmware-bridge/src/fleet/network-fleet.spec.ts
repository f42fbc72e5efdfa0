import { describe, expect, it } from 'vitest';
import { expectedDetections } from './fault-checks.js';
import { FAULT_ROTATION, planFaulty, simulatedOwnerKey } from './network-fleet.js';

const flat = (plan: ReturnType<typeof planFaulty>) =>
  Object.fromEntries([...plan].map(([kind, faults]) => [kind, Object.fromEntries(faults)]));

describe('planFaulty', () => {
  it('spreads faulty devices round-robin over the kinds, each getting the next fault of its rotation', () => {
    expect(flat(planFaulty({ weather: 10, vehicle: 10, energy: 10 }, 5))).toEqual({
      weather: { stuck: 1, bad_signature: 1 },
      vehicle: { gps_teleport: 1, bad_signature: 1 },
      energy: { stuck: 1 },
    });
  });

  it('skips kinds without devices and never gives a kind more faulty devices than it has', () => {
    expect(flat(planFaulty({ weather: 1, energy: 3 }, 4))).toEqual({
      weather: { stuck: 1 },
      energy: { stuck: 1, bad_signature: 1, clock_skew: 1 },
    });
    expect(() => planFaulty({ weather: 2 }, 3)).toThrow(/faulty must be an integer from 0 to the 2 devices/);
    expect(planFaulty({ weather: 2 }, 0).size).toBe(0);
  });

  it('cycles the rotation when a kind has more faulty devices than faults', () => {
    const n = FAULT_ROTATION.vehicle.length + 1;
    expect(flat(planFaulty({ vehicle: n }, n)).vehicle!.gps_teleport).toBe(2);
  });
});

describe('expectedDetections', () => {
  it('names the scoring checks and reason codes that should flag each fault', () => {
    expect(
      expectedDetections(
        'vehicle',
        [
          { type: 'gps_spoof', onsetMs: 0, variant: 'far' },
          { type: 'dropout', onsetMs: 0 },
        ],
        ['cloned_key'],
      ),
    ).toEqual([
      { fault: 'gps_spoof', checks: ['location'], reasons: ['LOCATION_MISMATCH'] },
      { fault: 'dropout', checks: ['gaps'], reasons: ['DATA_GAPS'] },
      { fault: 'cloned_key', checks: ['clone'], reasons: ['CLONED_KEY_SUSPECTED'] },
    ]);
    expect(expectedDetections('weather', [{ type: 'drift', onsetMs: 0 }], ['bad_signature'])).toEqual([
      { fault: 'drift', checks: ['drift'], reasons: ['DRIFT'] },
      { fault: 'bad_signature', checks: ['integrity'], reasons: ['BAD_SIGNATURES'] },
    ]);
  });
});

describe('simulatedOwnerKey', () => {
  it('derives the same owner from the same seed, and different owners otherwise', () => {
    expect(simulatedOwnerKey(7, 0).deviceId).toBe(simulatedOwnerKey(7, 0).deviceId);
    expect(simulatedOwnerKey(7, 0).deviceId).not.toBe(simulatedOwnerKey(7, 1).deviceId);
    expect(simulatedOwnerKey(7, 0).deviceId).not.toBe(simulatedOwnerKey(8, 0).deviceId);
  });
});
