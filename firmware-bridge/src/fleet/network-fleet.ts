import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  HARDWARE_KINDS,
  keyPairFromSeed,
  walletAddress,
  type DeviceId,
  type DeviceKeyPair,
  type HardwareKind,
  type WalletAddress,
} from '@groundtruth/protocol';
import { BridgeError } from '../core/bridge-error.js';
import { silentBridgeLogger } from '../core/logger.js';
import type { FaultType } from '../simulation/faults.js';
import type { FaultPlan } from '../simulation/signal-faults.js';
import type { GeoPoint } from '../simulation/weather.model.js';
import type { BridgeFaultPlan } from './bridge-faults.js';
import { expectedDetections, type FaultExpectation } from './fault-checks.js';
import type { FaultCounts } from './fault-plan.js';
import { fleetTotals, type FleetDevice } from './fleet-manifest.js';
import { SimulatedFleet, type FleetOptions } from './simulated-fleet.js';

/**
 * The faults `faulty: n` hands out, per kind, in this order (the k-th faulty device of a kind gets entry k,
 * cycling). The first ones are those the network detects within minutes of data.
 */
export const FAULT_ROTATION: Readonly<Record<HardwareKind, readonly FaultType[]>> = {
  weather: ['stuck', 'bad_signature', 'clock_skew', 'spike', 'replay', 'indoor', 'cloned_key', 'drift', 'dropout'],
  vehicle: ['gps_teleport', 'bad_signature', 'clock_skew', 'stuck', 'replay', 'gps_spoof', 'spike', 'cloned_key'],
  energy: ['stuck', 'bad_signature', 'clock_skew', 'spike', 'replay', 'cloned_key', 'drift', 'dropout'],
};

export interface NetworkFleetOptions {
  /** `<dataDir>/<kind>/` per kind (queues, status, fleet.json) and `<dataDir>/network-fleet.json` */
  readonly dataDir: string;
  /** same seed + same dataDir = the same devices, keys, owners, places and faults, resuming their seqs */
  readonly seed: number | string;
  /** devices per kind, e.g. `{ weather: 20, vehicle: 5, energy: 10 }` (a kind left out or 0 has none) */
  readonly counts: Readonly<Partial<Record<HardwareKind, number>>>;
  /** devices given one fault each, spread round-robin over the kinds, faults from FAULT_ROTATION (default 0) */
  readonly faulty?: number;
  /** explicit fault counts per kind, added to what `faulty` hands out (`parseFaultCounts('stuck:2')`) */
  readonly faults?: Readonly<Partial<Record<HardwareKind, FaultCounts>>>;
  /** readings per device per minute of (simulated) time (default 1) */
  readonly readingsPerMinute?: number;
  /** broker: `{ url, protocolVersion: 4 }` for Aedes (MQTT 3.1.1), 5 (default) for Mosquitto/EMQX */
  readonly mqtt: NonNullable<FleetOptions['mqtt']>;
  /**
   * Registers every device through the registry API before it starts publishing. Owners: `owners` key pairs
   * (device i of a kind belongs to owners[i % n]), or that many owner keys derived from the seed (default 1).
   */
  readonly registry?: { readonly url: string; readonly owners?: number | readonly DeviceKeyPair[] };
  readonly clock?: FleetOptions['clock'];
  readonly center?: GeoPoint;
  readonly radiusKm?: number;
  readonly signer?: FleetOptions['signer'];
  readonly bridge?: FleetOptions['bridge'];
  readonly logger?: FleetOptions['logger'];
  readonly startConcurrency?: number;
}

/** Ground truth of one device: what it is and which checks should flag it (none for a healthy device). */
export interface DeviceTruth {
  readonly device: DeviceId;
  readonly kind: HardwareKind;
  /** index within its kind's fleet (key derivation: `simulatedDeviceKey(kind, seed, index)`) */
  readonly index: number;
  /** owner wallet, when registered */
  readonly owner?: WalletAddress;
  readonly location: GeoPoint;
  /** injected faults; empty = healthy */
  readonly faults: readonly FaultType[];
  /** per fault: the scoring checks (any of) and reason codes expected to flag it */
  readonly expected: readonly FaultExpectation[];
  readonly signalFaults: readonly FaultPlan[];
  readonly bridgeFaults: BridgeFaultPlan;
  /** a cloned-key device has a second bridge publishing with its key from here */
  readonly cloneLocation?: GeoPoint;
}

/** Owner key `i` of a simulated network: derived from the seed, so a restart registers nothing new. */
export function simulatedOwnerKey(seed: number | string, i: number): DeviceKeyPair {
  return keyPairFromSeed(createHash('sha256').update(`gt-sim-owner:${seed}:${i}`).digest());
}

/** Spreads `faulty` devices over the kinds (round-robin, never more than a kind has) into per-kind fault counts. */
export function planFaulty(
  counts: Readonly<Partial<Record<HardwareKind, number>>>,
  faulty: number,
): Map<HardwareKind, Map<FaultType, number>> {
  const kinds = HARDWARE_KINDS.filter((kind) => (counts[kind] ?? 0) > 0);
  const total = kinds.reduce((n, kind) => n + counts[kind]!, 0);
  if (!Number.isInteger(faulty) || faulty < 0 || faulty > total) {
    throw new BridgeError('BAD_ARGUMENT', `faulty must be an integer from 0 to the ${total} devices, got ${faulty}`);
  }
  const given = new Map<HardwareKind, number>(kinds.map((kind) => [kind, 0]));
  const out = new Map<HardwareKind, Map<FaultType, number>>();
  for (let handed = 0, turn = 0; handed < faulty; turn++) {
    const kind = kinds[turn % kinds.length]!;
    const k = given.get(kind)!;
    if (k >= counts[kind]!) {
      continue;
    }
    const rotation = FAULT_ROTATION[kind];
    const fault = rotation[k % rotation.length]!;
    const faults = out.get(kind) ?? new Map<FaultType, number>();
    faults.set(fault, (faults.get(fault) ?? 0) + 1);
    out.set(kind, faults);
    given.set(kind, k + 1);
    handed++;
  }
  return out;
}

/**
 * A simulated network of devices of the three kinds in one process, for the embedded network and end-to-end
 * tests: each device runs the real adapter against an emulator of its hardware protocol, the real signing,
 * durable queue and MQTT publisher, and is registered through the registry's real signed flow. Stop it with
 * `stop()` (flushes every queue, drains, disconnects); start it again on the same `dataDir` and `seed` and every
 * device resumes its seq where it stopped (no gap, no reuse).
 */
export class NetworkFleet {
  private constructor(
    readonly options: NetworkFleetOptions,
    /** one SimulatedFleet per kind that has devices */
    readonly fleets: ReadonlyMap<HardwareKind, SimulatedFleet>,
    readonly owners: readonly DeviceKeyPair[],
  ) {}

  static async start(options: NetworkFleetOptions): Promise<NetworkFleet> {
    const rpm = options.readingsPerMinute ?? 1;
    if (!(rpm > 0) || !Number.isFinite(rpm)) {
      throw new BridgeError('BAD_ARGUMENT', `readingsPerMinute must be a positive number, got ${rpm}`);
    }
    const faulty = planFaulty(options.counts, options.faulty ?? 0);
    const ownerOption = options.registry?.owners ?? 1;
    const owners =
      typeof ownerOption === 'number'
        ? Array.from({ length: Math.max(1, ownerOption) }, (_, i) => simulatedOwnerKey(options.seed, i))
        : [...ownerOption];
    const fleets = new Map<HardwareKind, SimulatedFleet>();
    const logger = options.logger ?? silentBridgeLogger;
    try {
      for (const kind of HARDWARE_KINDS) {
        const count = options.counts[kind] ?? 0;
        if (count === 0) {
          continue;
        }
        const faults = new Map<FaultType, number>(faulty.get(kind) ?? []);
        for (const [fault, n] of options.faults?.[kind] ?? []) {
          faults.set(fault, (faults.get(fault) ?? 0) + n);
        }
        fleets.set(
          kind,
          await SimulatedFleet.start({
            kind,
            count,
            seed: options.seed,
            faults,
            dataDir: path.join(options.dataDir, kind),
            mqtt: options.mqtt,
            intervalMs: 60_000 / rpm,
            logger,
            ...(options.clock === undefined ? {} : { clock: options.clock }),
            ...(options.center === undefined ? {} : { center: options.center }),
            ...(options.radiusKm === undefined ? {} : { radiusKm: options.radiusKm }),
            ...(options.signer === undefined ? {} : { signer: options.signer }),
            ...(options.bridge === undefined ? {} : { bridge: options.bridge }),
            ...(options.startConcurrency === undefined ? {} : { startConcurrency: options.startConcurrency }),
            ...(options.registry === undefined ? {} : { registry: { url: options.registry.url, owner: owners } }),
          }),
        );
      }
    } catch (error) {
      await Promise.allSettled([...fleets.values()].map((fleet) => fleet.stop({ drainMs: 0 })));
      throw error;
    }
    const fleet = new NetworkFleet(options, fleets, owners);
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(
      path.join(options.dataDir, 'network-fleet.json'),
      JSON.stringify({ v: 1, seed: options.seed, devices: fleet.groundTruth() }, null, 2) + '\n',
    );
    return fleet;
  }

  /** Every running device, kind by kind. */
  get devices(): readonly (FleetDevice & { readonly kind: HardwareKind })[] {
    return [...this.fleets].flatMap(([kind, fleet]) => fleet.devices.map((d) => ({ ...d, kind })));
  }

  /** Ground truth: every device with its faults and the checks expected to flag it. */
  groundTruth(): DeviceTruth[] {
    return this.devices.map((d) => ({
      device: d.device,
      kind: d.kind,
      index: d.index,
      ...(this.options.registry === undefined
        ? {}
        : { owner: walletAddress(this.owners[d.index % this.owners.length]!.deviceId) }),
      location: d.location,
      faults: [...d.faults.signal, ...d.faults.bridge],
      expected: expectedDetections(d.kind, d.signalPlans, d.faults.bridge),
      signalFaults: d.signalPlans,
      bridgeFaults: d.bridgePlan,
      ...(d.clone === undefined ? {} : { cloneLocation: d.clone.location }),
    }));
  }

  /** Summed counters of every bridge (read, queued, published, acked, evicted, backlog, ...). */
  totals(): ReturnType<typeof fleetTotals> {
    return fleetTotals(this.devices);
  }

  /**
   * Stops every device: stops reading, writes what was read to disk, waits up to `drainMs` (default 5 s) for the
   * broker to acknowledge the backlog, disconnects. Whatever is not acknowledged is sent on the next start.
   */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    const results = await Promise.allSettled([...this.fleets.values()].map((fleet) => fleet.stop(options)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      throw failed.reason;
    }
  }
}
