import type { HardwareKind } from '@groundtruth/protocol';
import { BridgeError } from '../core/bridge-error.js';
import {
  BRIDGE_FAULTS,
  FAULT_TYPES,
  isFaultType,
  type BridgeFault,
  type FaultType,
  type SignalFault,
} from '../simulation/faults.js';
import { Prng, hashSeed } from '../simulation/prng.js';
import { applicableFaults } from '../simulation/signal-faults.js';

/** How many devices get each fault: `stuck:2,spike:1,clock_skew:3`. */
export type FaultCounts = ReadonlyMap<FaultType, number>;

/** Parses `--faults`; an empty string means none. Throws `BAD_ARGUMENT` naming the bad part. */
export function parseFaultCounts(text: string): FaultCounts {
  const counts = new Map<FaultType, number>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const match = /^([a-z_]+)(?::(\d+))?$/.exec(part);
    const name = match?.[1];
    if (match === null || name === undefined || !isFaultType(name)) {
      throw new BridgeError(
        'BAD_ARGUMENT',
        `--faults: "${part}" is not <fault>[:<devices>] with a fault among ${FAULT_TYPES.join(', ')}`,
      );
    }
    counts.set(name, (counts.get(name) ?? 0) + Number(match[2] ?? 1));
  }
  return counts;
}

const isBridgeFault = (fault: FaultType): fault is BridgeFault => (BRIDGE_FAULTS as readonly string[]).includes(fault);

/** The faults of one device of the fleet. */
export interface DeviceFaults {
  readonly signal: readonly SignalFault[];
  readonly bridge: readonly BridgeFault[];
}

/**
 * Spreads the fault counts over `deviceCount` devices, reproducibly from `seed`: each fault goes to distinct
 * devices, preferring those with the fewest faults so far (a device gets two faults only when the counts
 * exceed the fleet). Refuses a signal fault the kind cannot have (indoor is weather-only, gps_* vehicle-only).
 */
export function assignFaults(
  kind: HardwareKind,
  deviceCount: number,
  counts: FaultCounts,
  seed: number | string,
): DeviceFaults[] {
  const allowed = applicableFaults(kind);
  const devices = Array.from({ length: deviceCount }, () => ({
    signal: [] as SignalFault[],
    bridge: [] as BridgeFault[],
  }));
  const prng = new Prng(hashSeed('fleet-faults', seed));
  for (const fault of FAULT_TYPES) {
    const wanted = counts.get(fault) ?? 0;
    if (wanted === 0) {
      continue;
    }
    if (!isBridgeFault(fault) && !allowed.includes(fault)) {
      throw new BridgeError(
        'BAD_ARGUMENT',
        `--faults: ${fault} does not apply to ${kind} devices (possible: ${[...allowed, ...BRIDGE_FAULTS].join(', ')})`,
      );
    }
    if (wanted > deviceCount) {
      throw new BridgeError(
        'BAD_ARGUMENT',
        `--faults: ${fault}:${wanted} asks for more devices than --count ${deviceCount}`,
      );
    }
    // A seeded order, then stable by load: ties keep the seeded order.
    const order = devices.map((_, i) => ({ i, key: prng.next() })).sort((a, b) => a.key - b.key);
    const load = (i: number) => devices[i]!.signal.length + devices[i]!.bridge.length;
    order.sort((a, b) => load(a.i) - load(b.i));
    for (const { i } of order.slice(0, wanted)) {
      if (isBridgeFault(fault)) {
        devices[i]!.bridge.push(fault);
      } else {
        devices[i]!.signal.push(fault);
      }
    }
  }
  return devices;
}
