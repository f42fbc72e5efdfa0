import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  loadOwnerKeyPair,
  NetworkFleet,
  type BridgeLogger,
  type FaultCounts,
  type FaultType,
} from '@groundtruth/firmware-bridge';
import { writeNewKeypairFile } from '@groundtruth/programs';
import { HARDWARE_KINDS, type DeviceKeyPair, type HardwareKind } from '@groundtruth/protocol';

/**
 * The faults the demo fleet injects, per kind in the order they are handed out. First forged signatures, which
 * every short demo epoch shows (quarantine `BAD_SIGNATURE`, quality reason `BAD_SIGNATURES`); then faults that
 * only some short epochs catch: a clock off by minutes to hours (`CLOCK_SKEW` when it runs ahead; a clock behind
 * files its readings under past epochs), a spiking sensor, a GPS teleport, replayed envelopes (byte-identical
 * replays are deduplicated like QoS redeliveries). Slow faults (stuck values, drift) need hours of data before a
 * check may call them; `gt-bridge simulate` and the scoring benchmark cover them.
 */
export const DEMO_FAULTS: Readonly<Record<HardwareKind, readonly FaultType[]>> = {
  weather: ['bad_signature', 'spike', 'clock_skew', 'replay'],
  vehicle: ['bad_signature', 'gps_teleport', 'clock_skew', 'replay'],
  energy: ['bad_signature', 'spike', 'clock_skew', 'replay'],
};

/** `faulty` faults spread round-robin over the kinds (at most one per device), from {@link DEMO_FAULTS}. */
export function demoFaults(perKind: number, faulty: number): Partial<Record<HardwareKind, FaultCounts>> {
  const counts = new Map<HardwareKind, Map<FaultType, number>>(HARDWARE_KINDS.map((kind) => [kind, new Map()]));
  const given = new Map<HardwareKind, number>();
  for (let handed = 0, turn = 0; handed < Math.min(faulty, perKind * HARDWARE_KINDS.length); turn++) {
    const kind = HARDWARE_KINDS[turn % HARDWARE_KINDS.length]!;
    const k = given.get(kind) ?? 0;
    if (k >= perKind) {
      continue;
    }
    const fault = DEMO_FAULTS[kind][k % DEMO_FAULTS[kind].length]!;
    counts.get(kind)!.set(fault, (counts.get(kind)!.get(fault) ?? 0) + 1);
    given.set(kind, k + 1);
    handed++;
  }
  return Object.fromEntries(counts);
}

/** Owner wallets of the demo fleet: device i of each kind belongs to owner i mod 3. */
export const DEMO_OWNERS = 3;

export interface DemoFleetOptions {
  readonly dataDir: string;
  readonly perKind: number;
  readonly faulty: number;
  readonly seed: number;
  readonly readingsPerMinute: number;
  readonly mqtt: { readonly url: string; readonly protocolVersion: 4 | 5 };
  readonly registryUrl: string;
  /** gives a new owner wallet SOL for fees (a faucet; the embedded chain has one) */
  readonly fundOwner?: (wallet: string) => Promise<void>;
  readonly logger?: BridgeLogger;
}

/** Where owner `i`'s wallet keypair lives: a Solana CLI keypair file, usable with `groundtruth market buy --keypair`. */
export const ownerKeypairFile = (dataDir: string, i: number): string =>
  path.join(dataDir, 'owners', `owner-${i + 1}.json`);

/** The demo owners' wallets, made (and funded) on first run, read back on later ones. */
async function ownerKeys(options: DemoFleetOptions): Promise<DeviceKeyPair[]> {
  const owners: DeviceKeyPair[] = [];
  for (let i = 0; i < DEMO_OWNERS; i++) {
    const file = ownerKeypairFile(options.dataDir, i);
    if (!existsSync(file)) {
      const signer = await writeNewKeypairFile(file);
      await options.fundOwner?.(signer.address);
    }
    owners.push(loadOwnerKeyPair(file));
  }
  return owners;
}

/**
 * The simulated fleet of the embedded network: `perKind` devices of each hardware kind, `faulty` of them with an
 * injected fault, each running the real bridge code (emulated hardware → production adapter → signing → durable
 * queue → MQTT) and registered through the registry's signed registration flow. Keys and queues follow from the
 * seed and the data directory, so a restart resumes every device's `seq` where it stopped. The ground truth
 * (faults, and which checks should flag them) is in `<dataDir>/fleet/network-fleet.json`.
 */
export async function startDemoFleet(options: DemoFleetOptions): Promise<NetworkFleet> {
  return NetworkFleet.start({
    dataDir: path.join(options.dataDir, 'fleet'),
    seed: options.seed,
    counts: { weather: options.perKind, vehicle: options.perKind, energy: options.perKind },
    faults: demoFaults(options.perKind, options.faulty),
    readingsPerMinute: options.readingsPerMinute,
    mqtt: { url: options.mqtt.url, protocolVersion: options.mqtt.protocolVersion },
    registry: { url: options.registryUrl, owners: await ownerKeys(options) },
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
