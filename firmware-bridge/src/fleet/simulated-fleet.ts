import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  keyPairFromSeed,
  NodeCryptoSigner,
  readingsTopic,
  TweetnaclSigner,
  type DeviceKeyPair,
  type HardwareKind,
} from '@groundtruth/protocol';
import { BridgeError } from '../core/bridge-error.js';
import { DeviceBridge, type DeviceBridgeOptions } from '../core/device-bridge.js';
import { silentBridgeLogger, type BridgeLogger } from '../core/logger.js';
import { buildRegistration, postRegistration } from '../keys/registration-client.js';
import { realClock, type SimClock } from '../simulation/clock.js';
import { Prng, hashSeed } from '../simulation/prng.js';
import { createSimulatedDevice, type SimulatedProtocol } from '../simulation/simulated-device.js';
import { SimulationHub } from '../simulation/simulation-hub.js';
import type { GeoPoint } from '../simulation/weather.model.js';
import { BridgeFaultInjector, planBridgeFaults } from './bridge-faults.js';
import { assignFaults, type FaultCounts } from './fault-plan.js';
import { fleetManifest, offsetPoint, type FleetDevice } from './fleet-manifest.js';

export interface FleetOptions {
  readonly kind: HardwareKind;
  readonly count: number;
  readonly seed: number | string;
  readonly faults?: FaultCounts;
  /** one sub-directory per device (`devices/<id>/`, clones in `clones/<id>/`) and `fleet.json` */
  readonly dataDir: string;
  readonly mqtt?: NonNullable<DeviceBridgeOptions['mqtt']>;
  /** simulated ms between two readings of a device (default 60 s) */
  readonly intervalMs?: number;
  readonly clock?: SimClock;
  /** devices are placed uniformly in a disc (default: 25 km around Amsterdam) */
  readonly center?: GeoPoint;
  readonly radiusKm?: number;
  readonly protocol?: SimulatedProtocol;
  readonly transport?: 'memory' | 'tcp';
  /** default `node`: the same signatures as tweetnacl, fast enough for a thousand devices in one process */
  readonly signer?: 'node' | 'tweetnacl';
  readonly bridge?: Pick<DeviceBridgeOptions, 'mode' | 'batch' | 'queue' | 'maxInflight' | 'statusIntervalMs'>;
  /**
   * register every device with the registry before starting (the real signed flow: proof of possession + owner
   * wallet signature). Several owners: device `index` belongs to `owner[index % owner.length]`. A device already
   * registered by an earlier run with the same seed (409) is fine.
   */
  readonly registry?: {
    readonly url: string;
    readonly owner: DeviceKeyPair | readonly DeviceKeyPair[];
    readonly model?: string;
  };
  readonly logger?: BridgeLogger;
  /** devices started at once (default 32) */
  readonly startConcurrency?: number;
}

/**
 * The key of simulated device `index` of a fleet of `kind`: derived from the seed, so a re-run finds its queues
 * (and its registration) again, and fleets of different kinds never share a device id.
 */
export function simulatedDeviceKey(kind: HardwareKind, seed: number | string, index: number): DeviceKeyPair {
  return keyPairFromSeed(createHash('sha256').update(`gt-sim-device:${kind}:${seed}:${index}`).digest());
}

async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await work(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * N simulated devices in one process, each with its own production adapter reading an emulator through the real
 * hardware protocol, its own durable queue and its own MQTT connection — the real bridge code, used by
 * `gt-bridge simulate` and by the embedded network. Signal faults go to the emulators, bridge faults to the
 * bridge hooks; all reproducible from the seed.
 */
export class SimulatedFleet {
  private constructor(
    readonly options: FleetOptions,
    readonly devices: FleetDevice[],
    private readonly hub: SimulationHub,
  ) {}

  static async start(options: FleetOptions): Promise<SimulatedFleet> {
    if (!Number.isInteger(options.count) || options.count < 1) {
      throw new BridgeError('BAD_ARGUMENT', '--count must be a positive integer');
    }
    const logger = options.logger ?? silentBridgeLogger;
    const center = options.center ?? { lat: 52.37, lon: 4.89 };
    const radiusKm = options.radiusKm ?? 25;
    const faults = assignFaults(options.kind, options.count, options.faults ?? new Map(), options.seed);
    const placement = new Prng(hashSeed('fleet-placement', options.seed));
    const plans = faults.map((deviceFaults, index) => {
      const location = offsetPoint(center, radiusKm * Math.sqrt(placement.next()), placement.range(0, 360));
      return {
        index,
        keys: simulatedDeviceKey(options.kind, options.seed, index),
        location,
        faults: deviceFaults,
        bridgePlan: planBridgeFaults(deviceFaults.bridge, `${options.seed}:${index}`),
      };
    });
    if (options.registry !== undefined) {
      const registry = options.registry;
      const owners: readonly DeviceKeyPair[] = Array.isArray(registry.owner) ? registry.owner : [registry.owner];
      await inPool(plans, 8, async (plan) => {
        const signed = buildRegistration({
          device: plan.keys,
          owner: owners[plan.index % owners.length]!,
          kind: options.kind,
          model: registry.model ?? `gt-sim-${options.protocol ?? options.kind}`,
          intervalS: Math.max(1, Math.round((options.intervalMs ?? 60_000) / 1000)),
          location: { lat: plan.location.lat, lon: plan.location.lon },
        });
        try {
          await postRegistration(registry.url, signed);
        } catch (error) {
          if (!(error instanceof BridgeError && error.context.status === 409)) {
            throw error; // 409: registered by an earlier run with the same seed
          }
        }
      });
      logger.info('fleet.registered', { devices: plans.length, registry: registry.url });
    }
    const hub = new SimulationHub();
    const fleet = new SimulatedFleet(options, [], hub);
    try {
      await inPool(plans, options.startConcurrency ?? 32, async (plan) => {
        fleet.devices.push(await fleet.startDevice(plan, logger));
      });
    } catch (error) {
      await fleet.stop({ drainMs: 0 });
      throw error;
    }
    fleet.devices.sort((a, b) => a.index - b.index);
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(path.join(options.dataDir, 'fleet.json'), JSON.stringify(fleet.manifest(), null, 2) + '\n');
    logger.info('fleet.started', { devices: fleet.devices.length, kind: options.kind, seed: options.seed });
    return fleet;
  }

  private async startDevice(
    plan: {
      index: number;
      keys: DeviceKeyPair;
      location: GeoPoint;
      faults: FleetDevice['faults'];
      bridgePlan: FleetDevice['bridgePlan'];
    },
    logger: BridgeLogger,
  ): Promise<FleetDevice> {
    const { options } = this;
    const signer = options.signer === 'tweetnacl' ? new TweetnaclSigner(plan.keys) : new NodeCryptoSigner(plan.keys);
    const device = plan.keys.deviceId;
    const simulate = (seed: string, location: GeoPoint, signalFaults: FleetDevice['faults']['signal']) =>
      createSimulatedDevice({
        kind: options.kind,
        seed,
        faults: signalFaults,
        location,
        intervalMs: options.intervalMs ?? 60_000,
        clock: options.clock ?? realClock,
        hub: this.hub,
        ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
        ...(options.transport === undefined ? {} : { transport: options.transport }),
      });
    // The injector's publish hook is built before the bridge it publishes through exists.
    // eslint-disable-next-line prefer-const
    let bridge: DeviceBridge | undefined;
    const injector = new BridgeFaultInjector(plan.bridgePlan, `${options.seed}:${plan.index}`, (payload) => {
      if (!bridge?.link?.connected) {
        return false;
      }
      bridge.link.publish(readingsTopic(device), payload, () => undefined);
      return true;
    });
    const common = {
      signer,
      logger,
      ...options.bridge,
      statusIntervalMs: options.bridge?.statusIntervalMs ?? 30_000,
      queue: { fsync: false, ...options.bridge?.queue },
    };
    const simulated = await simulate(`${options.seed}:${plan.index}`, plan.location, plan.faults.signal);
    await simulated.start();
    bridge = await DeviceBridge.start({
      ...common,
      adapter: simulated.adapter,
      dataDir: path.join(options.dataDir, 'devices', device),
      ...(options.mqtt === undefined ? {} : { mqtt: options.mqtt }),
      ...(injector.active
        ? { transformSample: injector.transformSample, transformPayload: injector.transformPayload }
        : {}),
    });
    let clone: FleetDevice['clone'];
    if (plan.bridgePlan.clone !== undefined) {
      const location = offsetPoint(plan.location, plan.bridgePlan.clone.distanceKm, plan.bridgePlan.clone.bearingDeg);
      const cloneSimulated = await simulate(`${options.seed}:${plan.index}:clone`, location, []);
      await cloneSimulated.start();
      const cloneBridge = await DeviceBridge.start({
        ...common,
        adapter: cloneSimulated.adapter,
        dataDir: path.join(options.dataDir, 'clones', device),
        firstSeq: bridge.nextSeq,
        ...(options.mqtt === undefined ? {} : { mqtt: { ...options.mqtt, clientId: `gt-${device}-clone` } }),
      });
      clone = { bridge: cloneBridge, simulated: cloneSimulated, location };
    }
    return {
      index: plan.index,
      device,
      location: plan.location,
      faults: plan.faults,
      bridgePlan: plan.bridgePlan,
      signalPlans: simulated.faults,
      bridge,
      simulated,
      injector,
      clone,
    };
  }

  manifest() {
    return fleetManifest(this.options, this.devices);
  }

  /** Stops every bridge (draining up to `drainMs`), then the emulators and the shared endpoints. */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    await Promise.all(
      this.devices.map(async (d) => {
        await Promise.all([d.bridge.stop(options), d.clone?.bridge.stop(options)]);
        await Promise.all([d.simulated.stop(), d.clone?.simulated.stop()]);
      }),
    );
    await this.hub.close();
  }
}
