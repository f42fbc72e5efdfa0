/**
 * The traffic of the dashboards' pipeline run. Simulated devices of the three hardware kinds run the real bridge
 * code (emulated hardware → production adapter → signing → durable queue → MQTT to the private Mosquitto),
 * registered through the registry's signed HTTP flow, on a fast clock that replays one past hour (the epoch the
 * run closes) in seconds: a store-and-forward backlog as far as the network can tell. Seeded faults give the
 * dashboards something to show: a bridge corrupting signatures, a spiking sensor, a cloned vehicle key, a bridge
 * replaying old envelopes; the focus station also reports one physically impossible temperature in the epoch. A
 * Modbus meter registered without a location cannot be placed on the map. Then what no honest bridge sends: a
 * message that is not JSON and a reading signed by an unregistered key.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { serveBridgeMetrics, type BridgeMetricsServer } from '../../firmware-bridge/src/cli/metrics-server.js';
import { DeviceBridge } from '../../firmware-bridge/src/core/device-bridge.js';
import type { FaultCounts } from '../../firmware-bridge/src/fleet/fault-plan.js';
import { fleetStatuses } from '../../firmware-bridge/src/fleet/fleet-manifest.js';
import { SimulatedFleet } from '../../firmware-bridge/src/fleet/simulated-fleet.js';
import { buildRegistration, postRegistration } from '../../firmware-bridge/src/keys/registration-client.js';
import { createSimClock, type SimClock } from '../../firmware-bridge/src/simulation/clock.js';
import { createSimulatedDevice, type SimulatedDevice } from '../../firmware-bridge/src/simulation/simulated-device.js';
import {
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoSigner,
  readingsTopic,
  type DeviceKeyPair,
  type HardwareKind,
  type SignedRegistration,
} from '../../protocol/src/index.js';

const MINUTE = 60_000;
const SEED = 'gt-dashboards-1';
/** the clock starts this long before the epoch, so every device is reading when the epoch begins */
const WARM_UP_MS = 5 * MINUTE;

const key = (tag: string): DeviceKeyPair => keyPairFromSeed(createHash('sha256').update(`${SEED}:${tag}`).digest());

/** Three owners: of the weather stations, of the vehicles, of the energy meters. */
const OWNERS = [key('owner:0'), key('owner:1'), key('owner:2')];

/**
 * The fleets (one per seed and kind). The focus station's bridge corrupts signatures and its sensor spikes, so the
 * device drill-down has quarantine, seq gaps and scoring flags to show for one device. The spikes are random (3 %
 * of samples, at the seconds the fast clock happens to sample): about one run in five has none in the epoch, so
 * the station's scoring flags are guaranteed by {@link reportImpossibleTemperature} instead.
 */
const FLEETS: readonly { seed: string; kind: HardwareKind; count: number; faults: FaultCounts; owner: number }[] = [
  {
    seed: `${SEED}:focus`,
    kind: 'weather',
    count: 1,
    faults: new Map([
      ['bad_signature', 1],
      ['spike', 1],
    ]),
    owner: 0,
  },
  { seed: SEED, kind: 'weather', count: 2, faults: new Map(), owner: 0 },
  { seed: SEED, kind: 'vehicle', count: 2, faults: new Map([['cloned_key', 1]]), owner: 1 },
  { seed: SEED, kind: 'energy', count: 2, faults: new Map([['replay', 1]]), owner: 2 },
];

export interface TrafficOptions {
  readonly mqttUrl: string;
  readonly registryUrl: string;
  /** where the bridges keep their queues */
  readonly dataDir: string;
  /** the replayed hour [epochStart, epochStart + 1 h) */
  readonly epochStart: number;
  /** simulated ms per wall ms */
  readonly speed: number;
  /** called once when the replay reaches the middle of the hour */
  readonly atHalfTime: (roles: TrafficRoles) => Promise<void>;
}

/** Which device plays which part (device ids). */
export interface TrafficRoles {
  /**
   * weather station whose bridge corrupts signatures, whose sensor spikes and reports an impossible temperature:
   * quarantine, seq gaps, scoring flags
   */
  readonly focus: string;
  readonly cloned: string;
  readonly replaying: string;
  /** a weather station without faults: the run suspends it half-way (its sale credit is then held) */
  readonly toSuspend: string;
  /** the Modbus meter registered without a location */
  readonly unplaced: string;
  readonly all: readonly string[];
}

export interface TrafficResult {
  readonly roles: TrafficRoles;
  /** readings the broker acknowledged to bridges and extra readings published: the ingest must receive them all */
  readonly readingsSent: number;
  /** quarantine reasons the traffic must produce */
  readonly reasons: readonly string[];
  /** the meter's signed registration (sending it again must be refused) */
  readonly firstRegistration: SignedRegistration;
  /** the bridges' `/metrics`, scraped while they ran (the clones of cloned keys are the attacker's, not in it) */
  readonly bridgeExposition: string;
}

/** °C: beyond the catalogue's physical range (-90..60), so the scoring range check must flag the reading */
const IMPOSSIBLE_TEMPERATURE = 85;

/**
 * Feeds the focus station's bridge a sample whose temperature is physically impossible, as a broken sensor would
 * report it (the bridge takes it: range is the network's judgement). Its bridge corrupts 5 % of the signatures it
 * seals (synchronously, in single mode), so the sample is sent again, a second later, until one went out intact.
 */
function reportImpossibleTemperature(device: SimulatedFleet['devices'][number], clock: SimClock): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    const corrupted = device.injector.stats.corrupted;
    if (
      !device.bridge.onSample({ ts: clock.now() + attempt * 1000, metrics: { temperature: IMPOSSIBLE_TEMPERATURE } })
    ) {
      throw new Error('the focus station’s bridge refused the impossible reading');
    }
    if (device.injector.stats.corrupted === corrupted) {
      return;
    }
  }
  throw new Error('every impossible reading of the focus station went out with a corrupted signature');
}

/** A bridge for a device the fleet helper cannot make: a Modbus meter whose registration declares no location. */
async function startUnplacedMeter(options: TrafficOptions, clock: SimClock) {
  const keys = key('meter:unplaced');
  const registration = buildRegistration({
    device: keys,
    owner: OWNERS[2]!,
    kind: 'energy',
    model: 'Eastron SDM630 Modbus',
    intervalS: 60,
  });
  await postRegistration(options.registryUrl, registration);
  const simulated: SimulatedDevice = await createSimulatedDevice({
    kind: 'energy',
    protocol: 'modbus',
    seed: `${SEED}:meter`,
    location: { lat: 52.09, lon: 5.12 }, // the household model's weather; not declared to the network
    intervalMs: MINUTE,
    clock,
  });
  await simulated.start();
  const bridge = await DeviceBridge.start({
    adapter: simulated.adapter,
    signer: new NodeCryptoSigner(keys),
    dataDir: path.join(options.dataDir, 'meter'),
    mqtt: { url: options.mqttUrl },
    mode: 'single',
    queue: { fsync: false },
  });
  return { device: keys.deviceId as string, registration, bridge, simulated };
}

function pick(fleet: SimulatedFleet, test: (d: SimulatedFleet['devices'][number]) => boolean): string {
  const found = fleet.devices.find(test);
  if (!found) {
    throw new Error(`no ${fleet.options.kind} device for this role`);
  }
  return found.device;
}

/** Runs the replay of the hour, stops every bridge once the broker has acknowledged its queue, then misbehaves. */
export async function runTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const clock = createSimClock({ startMs: options.epochStart - WARM_UP_MS, speed: options.speed });
  const fleets: SimulatedFleet[] = [];
  let meter: Awaited<ReturnType<typeof startUnplacedMeter>> | undefined;
  let metrics: BridgeMetricsServer | undefined;
  try {
    for (const spec of FLEETS) {
      fleets.push(
        await SimulatedFleet.start({
          kind: spec.kind,
          count: spec.count,
          seed: spec.seed,
          faults: spec.faults,
          dataDir: path.join(options.dataDir, `${spec.kind}-${fleets.length}`),
          mqtt: { url: options.mqttUrl },
          intervalMs: MINUTE,
          clock,
          center: { lat: 52.09, lon: 5.12 },
          radiusKm: 8,
          bridge: { mode: 'single' },
          registry: { url: options.registryUrl, owner: OWNERS[spec.owner]! },
        }),
      );
    }
    meter = await startUnplacedMeter(options, clock);
    const { bridge: meterBridge } = meter;
    metrics = await serveBridgeMetrics({ host: '127.0.0.1', port: 0 }, () => [
      ...fleets.flatMap((f) => fleetStatuses(f.devices)),
      meterBridge.status(),
    ]);
    const [focus, weather, vehicle, energy] = fleets as [
      SimulatedFleet,
      SimulatedFleet,
      SimulatedFleet,
      SimulatedFleet,
    ];
    const roles: TrafficRoles = {
      focus: pick(focus, (d) => d.faults.bridge.includes('bad_signature')),
      cloned: pick(vehicle, (d) => d.clone !== undefined),
      replaying: pick(energy, (d) => d.faults.bridge.includes('replay')),
      toSuspend: weather.devices[1]!.device,
      unplaced: meter.device,
      all: [...fleets.flatMap((f) => f.devices.map((d) => d.device as string)), meter.device],
    };

    const focusDevice = focus.devices.find((d) => d.device === roles.focus)!;
    let impossibleDone = false;
    let halfTimeDone = false;
    while (clock.now() < options.epochStart + 61 * MINUTE) {
      if (!impossibleDone && clock.now() >= options.epochStart + 20 * MINUTE) {
        impossibleDone = true;
        reportImpossibleTemperature(focusDevice, clock);
      }
      if (!halfTimeDone && clock.now() >= options.epochStart + 30 * MINUTE) {
        halfTimeDone = true;
        await options.atHalfTime(roles);
      }
      await sleep(100);
    }
    const scraped = await fetch(metrics.url);
    if (!scraped.ok) {
      throw new Error(`GET ${metrics.url}: ${scraped.status}`);
    }
    const bridgeExposition = await scraped.text();
    await Promise.all([...fleets.map((f) => f.stop({ drainMs: 15_000 })), meter.bridge.stop({ drainMs: 15_000 })]);
    await meter.simulated.stop();

    const bridges = [
      ...fleets.flatMap((f) => f.devices.flatMap((d) => [d.bridge, ...(d.clone ? [d.clone.bridge] : [])])),
      meter.bridge,
    ];
    const backlog = bridges.reduce((n, b) => n + b.queue.stats().queuedReadings, 0);
    if (backlog > 0) {
      throw new Error(`bridges stopped with ${backlog} readings unacknowledged`);
    }
    const acked = bridges.reduce((n, b) => n + b.counters.counts.acked, 0);
    const replayed = fleets.reduce((n, f) => n + f.devices.reduce((m, d) => m + d.injector.stats.replayed, 0), 0);
    const extra = await misbehave(options, clock.now());
    return {
      roles,
      readingsSent: acked + replayed + extra,
      reasons: ['BAD_SIGNATURE', 'REPLAYED_SEQ', 'MALFORMED_JSON', 'UNKNOWN_DEVICE', 'DEVICE_SUSPENDED'],
      firstRegistration: meter.registration,
      bridgeExposition,
    };
  } catch (error) {
    await Promise.allSettled([...fleets.map((f) => f.stop({ drainMs: 0 })), meter?.bridge.stop({ drainMs: 0 })]);
    await meter?.simulated.stop().catch(() => undefined);
    throw error;
  } finally {
    await metrics?.close();
  }
}

/** A message that is not JSON and a reading from a key nobody registered; returns the readings published. */
async function misbehave(options: TrafficOptions, ts: number): Promise<number> {
  const client = await mqtt.connectAsync(options.mqttUrl, {
    clientId: `gt-dashboards-stranger-${process.pid}`,
    reconnectPeriod: 0,
  });
  try {
    const stranger = key('stranger');
    await client.publishAsync(readingsTopic(stranger.deviceId), '{"v":1,"type":"reading",', { qos: 1 });
    const body = {
      v: 1 as const,
      device: stranger.deviceId,
      kind: 'weather' as const,
      seq: 1,
      ts,
      metrics: { temperature: 12.5, humidity: 71, pressure: 101_200 },
    };
    await client.publishAsync(readingsTopic(stranger.deviceId), encodeSingle(body, new NodeCryptoSigner(stranger)), {
      qos: 1,
    });
    return 1;
  } finally {
    await client.endAsync();
  }
}
