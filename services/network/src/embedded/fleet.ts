import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  loadOwnerKeyPair,
  SimulatedFleet,
  type BridgeLogger,
  type FaultCounts,
  type FaultType,
} from '@groundtruth/firmware-bridge';
import { writeNewKeypairFile } from '@groundtruth/programs';
import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';

/**
 * The faults the demo fleet injects, in the order they are handed out: each kind's most telling signal fault
 * first, then one bridge fault per kind. `GT_FAULTY=n` takes the first n.
 */
export const DEMO_FAULTS: readonly (readonly [HardwareKind, FaultType])[] = [
  ['weather', 'stuck'],
  ['vehicle', 'gps_teleport'],
  ['energy', 'bad_signature'],
  ['weather', 'spike'],
  ['vehicle', 'clock_skew'],
  ['energy', 'replay'],
  ['weather', 'indoor'],
  ['vehicle', 'dropout'],
  ['energy', 'drift'],
];

/** The demo fault counts per kind for `faulty` faulty devices (at most one fault per device). */
export function demoFaults(faulty: number, perKind: number): Map<HardwareKind, FaultCounts> {
  const out = new Map<HardwareKind, Map<FaultType, number>>(HARDWARE_KINDS.map((k) => [k, new Map()]));
  const used = new Map<HardwareKind, number>();
  for (const [kind, fault] of DEMO_FAULTS.slice(0, faulty)) {
    if ((used.get(kind) ?? 0) >= perKind) {
      continue;
    }
    used.set(kind, (used.get(kind) ?? 0) + 1);
    out.get(kind)!.set(fault, 1);
  }
  return out;
}

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

/**
 * One owner wallet per kind (a Solana keypair file under `<dataDir>/owners`, usable with `groundtruth market buy
 * --keypair`), made and funded on first run.
 */
async function ownerKey(dataDir: string, kind: HardwareKind, fund?: (wallet: string) => Promise<void>) {
  const file = path.join(dataDir, 'owners', `${kind}.json`);
  if (!existsSync(file)) {
    const signer = await writeNewKeypairFile(file);
    await fund?.(signer.address);
  }
  return loadOwnerKeyPair(file);
}

/**
 * The simulated fleet of the embedded network: `perKind` devices of each hardware kind, each running the real
 * bridge code (emulated hardware → production adapter → signing → durable queue → MQTT), registered through the
 * registry's signed registration flow. Keys and queues follow from the seed and the data directory, so a restart
 * resumes every device's `seq` where it stopped.
 */
export async function startDemoFleet(options: DemoFleetOptions): Promise<SimulatedFleet[]> {
  const faults = demoFaults(options.faulty, options.perKind);
  const fleets: SimulatedFleet[] = [];
  try {
    for (const kind of HARDWARE_KINDS) {
      fleets.push(
        await SimulatedFleet.start({
          kind,
          count: options.perKind,
          seed: options.seed,
          faults: faults.get(kind)!,
          dataDir: path.join(options.dataDir, 'fleet', kind),
          mqtt: { url: options.mqtt.url, protocolVersion: options.mqtt.protocolVersion },
          intervalMs: Math.round(60_000 / options.readingsPerMinute),
          registry: { url: options.registryUrl, owner: await ownerKey(options.dataDir, kind, options.fundOwner) },
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(fleets.map((f) => f.stop()));
    throw error;
  }
  return fleets;
}
