import { describe, expect, it } from 'vitest';
import { demoFaults } from './fleet.js';

const asObject = (faults: ReturnType<typeof demoFaults>) =>
  Object.fromEntries(Object.entries(faults).map(([kind, counts]) => [kind, Object.fromEntries(counts!)]));

describe('demoFaults', () => {
  it('hands faults out round-robin over the kinds, each kind from its own list', () => {
    expect(asObject(demoFaults(3, 6))).toEqual({
      weather: { bad_signature: 1, spike: 1 },
      vehicle: { bad_signature: 1, gps_teleport: 1 },
      energy: { bad_signature: 1, spike: 1 },
    });
  });

  it('never gives a kind more faults than it has devices, and stops at the fleet size', () => {
    const faults = asObject(demoFaults(1, 10));
    expect(faults).toEqual({
      weather: { bad_signature: 1 },
      vehicle: { bad_signature: 1 },
      energy: { bad_signature: 1 },
    });
    expect(asObject(demoFaults(4, 0))).toEqual({ weather: {}, vehicle: {}, energy: {} });
  });

  it('repeats a kind’s list when it has more faulty devices than faults', () => {
    expect(asObject(demoFaults(6, 15)).weather).toEqual({ bad_signature: 2, spike: 1, clock_skew: 1, replay: 1 });
  });
});
