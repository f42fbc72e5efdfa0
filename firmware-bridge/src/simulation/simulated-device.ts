/**
 * One simulated device, end to end: a signal model, its signal faults, an emulator speaking the hardware's
 * real protocol, and the production adapter that reads it. The bridge core treats `adapter` exactly like
 * real hardware; the emulator is the only simulated part.
 *
 *     const hub = new SimulationHub();
 *     const clock = createSimClock({ speed: 60 });           // a simulated minute per wall second
 *     const device = await createSimulatedDevice({ kind: 'weather', seed: 7, location, intervalMs: 60_000, clock, hub });
 *     await device.start();                                  // emulator side
 *     await device.adapter.start(sink);                      // bridge side
 *     ...
 *     await device.adapter.stop(); await device.stop(); await hub.close();
 */
import { createHash } from 'node:crypto';
import type { HardwareKind } from '@groundtruth/protocol';
import type { HardwareAdapter } from '../adapters/adapter.js';
import { createBytePipe, type ByteStream, type ByteStreamFactory } from '../adapters/byte-stream.js';
import { EcowittAdapter } from '../adapters/ecowitt.adapter.js';
import { Elm327Adapter } from '../adapters/elm327.adapter.js';
import { GnssReceiver } from '../adapters/gnss.adapter.js';
import { ModbusMeterAdapter } from '../adapters/modbus.adapter.js';
import { P1Adapter } from '../adapters/p1.adapter.js';
import { tcpStreamFactory } from '../adapters/tcp-stream.js';
import { realClock, type SimClock } from './clock.js';
import { DriveCycleModel } from './drive-cycle.model.js';
import type { SignalFault } from './faults.js';
import { HouseholdModel } from './household.model.js';
import { P1MeterEmulator } from './p1.emulator.js';
import { hashSeed } from './prng.js';
import { SignalFaultInjector, SimulationConfigError, type FaultPlan, type SignalFaultSpec } from './signal-faults.js';
import { SimulationHub } from './simulation-hub.js';
import { TcpDeviceServer } from './tcp-device-server.js';
import { VehicleEmulator } from './vehicle.emulator.js';
import { WeatherStationEmulator } from './weather.emulator.js';
import { WeatherModel, type GeoPoint } from './weather.model.js';

export type SimulatedProtocol = 'ecowitt' | 'wunderground' | 'elm327' | 'p1' | 'modbus';

export interface SimulatedDeviceOptions {
  readonly kind: HardwareKind;
  /** reproducibility: the same seed gives the same signal and the same fault choices */
  readonly seed: number | string;
  readonly faults?: readonly (SignalFault | SignalFaultSpec)[];
  readonly location: GeoPoint;
  /** simulated time between two readings (ms): upload interval, poll interval, telegram period */
  readonly intervalMs: number;
  readonly clock?: SimClock;
  /** default: weather → ecowitt, vehicle → elm327, energy → p1 */
  readonly protocol?: SimulatedProtocol;
  /** stream devices (ELM327 + GNSS, P1): in-memory pipes (default; cheap for fleets) or real TCP on localhost */
  readonly transport?: 'memory' | 'tcp';
  /** shared endpoints; without one the device gets a private hub it closes on stop() */
  readonly hub?: SimulationHub;
  /** seed of the shared weather fields (default: one world for the whole fleet) */
  readonly worldSeed?: number;
  /** wall ms an ELM327 command / Modbus request may take before it counts as a timeout (default 3000) */
  readonly timeoutMs?: number;
}

export interface SimulatedDevice {
  readonly kind: HardwareKind;
  readonly protocol: SimulatedProtocol;
  /** the production adapter reading the emulator through the real protocol */
  readonly adapter: HardwareAdapter;
  /** the faults with their seeded choices resolved (ground truth for quality scoring) */
  readonly faults: readonly FaultPlan[];
  readonly location: GeoPoint;
  /** starts the device side (listeners, push timers); call before `adapter.start` */
  start(): Promise<void>;
  /** stops the device side; call after `adapter.stop` */
  stop(): Promise<void>;
}

const DEFAULT_PROTOCOL: Record<HardwareKind, SimulatedProtocol> = {
  weather: 'ecowitt',
  vehicle: 'elm327',
  energy: 'p1',
};
const KIND_OF: Record<SimulatedProtocol, HardwareKind> = {
  ecowitt: 'weather',
  wunderground: 'weather',
  elm327: 'vehicle',
  p1: 'energy',
  modbus: 'energy',
};

/** A gateway PASSKEY as Ecowitt makes it: MD5 of the MAC address, upper-case hex. */
export function simulatedPasskey(seed: number | string): string {
  return createHash('md5').update(`sim-mac-${seed}`).digest('hex').toUpperCase();
}

/** A stream factory that serves each new connection from an emulator, either in memory or over TCP. */
function streamEndpoint(transport: 'memory' | 'tcp', attach: (stream: ByteStream) => void) {
  const server = transport === 'tcp' ? new TcpDeviceServer(attach) : undefined;
  const open: ByteStreamFactory = server
    ? () => tcpStreamFactory({ host: '127.0.0.1', port: server.port })()
    : async () => {
        const [device, host] = createBytePipe();
        attach(device);
        return host;
      };
  return {
    open,
    start: async () => void (await server?.listen()),
    stop: async () => server?.close(),
  };
}

export async function createSimulatedDevice(options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  const protocol = options.protocol ?? DEFAULT_PROTOCOL[options.kind];
  if (KIND_OF[protocol] !== options.kind) {
    throw new SimulationConfigError('BAD_DEVICE_CONFIG', `protocol ${protocol} is not a ${options.kind} protocol`);
  }
  if (!(options.intervalMs > 0)) {
    throw new SimulationConfigError('BAD_DEVICE_CONFIG', `intervalMs must be positive, got ${options.intervalMs}`);
  }
  const clock = options.clock ?? realClock;
  const now = () => clock.now();
  const seed = hashSeed('device', options.seed);
  const startMs = clock.now();
  const faults = new SignalFaultInjector(options.kind, options.faults ?? [], seed, startMs, options.location);
  const privateHub = options.hub ? undefined : new SimulationHub();
  const hub = options.hub ?? privateHub!;
  const wallInterval = clock.toWallMs(options.intervalMs);
  const timeoutMs = options.timeoutMs ?? 3000;
  const base = { kind: options.kind, protocol, faults: faults.plans, location: options.location };
  const closeHub = async () => privateHub?.close();

  if (options.kind === 'weather') {
    const server = await hub.weatherServer();
    const passkey = simulatedPasskey(options.seed);
    const stationId = `ISIM${passkey.slice(0, 8)}`;
    const emulator = new WeatherStationEmulator({
      baseUrl: `http://${hub.host}:${server.port}`,
      protocol: protocol as 'ecowitt' | 'wunderground',
      passkey,
      stationId,
      password: passkey.slice(8, 16),
      model: new WeatherModel(seed, options.location, options.worldSeed),
      faults,
      clock,
      intervalMs: options.intervalMs,
    });
    const adapter = new EcowittAdapter({
      server,
      ...(protocol === 'ecowitt' ? { passkey } : { stationId, password: passkey.slice(8, 16) }),
      altitudeM: options.location.alt ?? 0,
      now,
    });
    return { ...base, adapter, start: async () => emulator.start(), stop: async () => (emulator.stop(), closeHub()) };
  }

  if (options.kind === 'vehicle') {
    const emulator = new VehicleEmulator({
      model: new DriveCycleModel(seed, options.location, startMs),
      faults,
      clock,
      gnssIntervalMs: Math.min(options.intervalMs, 1000 * clock.speed),
    });
    const obd = streamEndpoint(options.transport ?? 'memory', (stream) => emulator.attachObd(stream));
    const gnss = streamEndpoint(options.transport ?? 'memory', (stream) => emulator.attachGnss(stream));
    const adapter = new Elm327Adapter({
      open: obd.open,
      gnss: new GnssReceiver({ open: gnss.open, now, emitSamples: false }),
      pollIntervalMs: wallInterval,
      commandTimeoutMs: timeoutMs,
      searchTimeoutMs: timeoutMs,
      maxFixAgeMs: 2 * options.intervalMs,
      now,
    });
    return {
      ...base,
      adapter,
      start: async () => void (await Promise.all([obd.start(), gnss.start()])),
      stop: async () => {
        emulator.stop();
        await Promise.all([obd.stop(), gnss.stop(), closeHub()]);
      },
    };
  }

  const model = new HouseholdModel(seed, options.location, startMs, { worldSeed: options.worldSeed });
  if (protocol === 'modbus') {
    const slot = await hub.modbusSlot();
    const remove = slot.gateway.addMeter(slot.unitId, { model, faults, clock });
    const adapter = new ModbusMeterAdapter({
      host: hub.host,
      port: slot.port,
      unitId: slot.unitId,
      pollIntervalMs: wallInterval,
      timeoutMs,
      now,
    });
    return { ...base, adapter, start: async () => undefined, stop: async () => (remove(), closeHub()) };
  }
  const emulator = new P1MeterEmulator({ model, faults, clock, intervalMs: options.intervalMs });
  const p1 = streamEndpoint(options.transport ?? 'memory', (stream) => emulator.attach(stream));
  const adapter = new P1Adapter({ open: p1.open, now });
  return {
    ...base,
    adapter,
    start: p1.start,
    stop: async () => {
      emulator.stop();
      await Promise.all([p1.stop(), closeHub()]);
    },
  };
}
