import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadOwnerKeyPair, NetworkFleet, type BridgeLogger } from '@groundtruth/firmware-bridge';
import { writeNewKeypairFile } from '@groundtruth/programs';
import type { DeviceKeyPair } from '@groundtruth/protocol';

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
    faulty: Math.min(options.faulty, options.perKind * 3),
    readingsPerMinute: options.readingsPerMinute,
    mqtt: { url: options.mqtt.url, protocolVersion: options.mqtt.protocolVersion },
    registry: { url: options.registryUrl, owners: await ownerKeys(options) },
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
