/**
 * The simulator's devices, sampled without timers: each sample is what the bridge's production adapter reads
 * from the emulated hardware at that instant, through the real protocol encoders and parsers (Ecowitt form →
 * parseEcowittForm; ELM327 PID bytes → VEHICLE_PIDS decode and NMEA GGA → parseNmeaSentence; DSMR 5 telegram →
 * parseDsmrTelegram), with the signal faults of firmware-bridge/src/simulation applied. A day of a device takes
 * a fraction of a second instead of a day.
 */
import {
  VEHICLE_PIDS,
  parseDsmrTelegram,
  parseEcowittForm,
  parseNmeaSentence,
  roundTo,
  type SensorSample,
  type VehiclePid,
} from '@groundtruth/firmware-bridge/adapters';
import {
  DriveCycleModel,
  HouseholdModel,
  SignalFaultInjector,
  VehicleEmulator,
  WeatherModel,
  dsmr5Telegram,
  ecowittForm,
  ggaSentence,
  hashSeed,
  measureHousehold,
  type GeoPoint,
  type SignalFault,
  type SimClock,
} from '@groundtruth/firmware-bridge/simulation';
import type { HardwareKind } from '@groundtruth/protocol';

/** A clock the caller moves: the emulators read `now()` only. */
class ManualClock implements SimClock {
  t = 0;
  readonly speed = 1;
  now(): number {
    return this.t;
  }
  toWallMs(simMs: number): number {
    return simMs;
  }
  every(): () => void {
    return () => undefined;
  }
}

/** Decimals the ELM327 adapter rounds each PID's value to (firmware-bridge/src/adapters/elm327.adapter.ts). */
const OBD_DECIMALS: Record<string, number> = {
  speed: 3,
  rpm: 2,
  coolant_temperature: 0,
  fuel_level: 2,
  engine_load: 2,
  odometer: 0,
};
const OBD_PIDS: readonly VehiclePid[] = [0x04, 0x05, 0x0c, 0x0d, 0x2f, 0xa6];

export interface DeviceSampler {
  /** the signal faults with their seeded choices */
  readonly injector: SignalFaultInjector;
  /** what the adapter emits at `ts` (the bridge's clock), or undefined while the device is silent */
  sample(ts: number): SensorSample | undefined;
}

/**
 * A simulated device of `kind` as `createSimulatedDevice` builds it (same seeds: `hashSeed('device', seed)`),
 * started at `startMs` with `faults`.
 */
export function deviceSampler(
  kind: HardwareKind,
  seed: string,
  location: GeoPoint,
  startMs: number,
  faults: readonly SignalFault[],
): DeviceSampler {
  const deviceSeed = hashSeed('device', seed);
  const injector = new SignalFaultInjector(kind, faults, deviceSeed, startMs, location);
  switch (kind) {
    case 'weather': {
      const model = new WeatherModel(deviceSeed, location);
      return {
        injector,
        sample: (ts) => {
          if (injector.isDropped(ts)) {
            return undefined;
          }
          const measured = injector.metrics(ts, { ...model.at(ts) });
          const form = ecowittForm(measured, ts, { passkey: 'SIM', altitudeM: location.alt ?? 0 });
          const parsed = parseEcowittForm(new URLSearchParams(form), { now: ts, altitudeM: location.alt ?? 0 });
          return parsed.ok ? parsed.value.sample : undefined;
        },
      };
    }
    case 'vehicle': {
      const clock = new ManualClock();
      clock.t = startMs;
      const emulator = new VehicleEmulator({
        model: new DriveCycleModel(deviceSeed, location, startMs),
        faults: injector,
        clock,
      });
      return {
        injector,
        sample: (ts) => {
          if (injector.isDropped(ts)) {
            return undefined; // the dongle does not answer: the poll times out
          }
          clock.t = ts;
          const metrics: Record<string, number> = {};
          for (const pid of OBD_PIDS) {
            const engine = emulator.ecus(pid).find((ecu) => ecu.id === '7E8');
            const bytes = engine?.mode01(pid);
            if (bytes) {
              const spec = VEHICLE_PIDS[pid];
              metrics[spec.metric] = roundTo(spec.decode(bytes), OBD_DECIMALS[spec.metric] ?? 3);
            }
          }
          // The receiver streams a fix a second; the adapter uses the latest one.
          clock.t = Math.floor(ts / 1000) * 1000;
          const gga = parseNmeaSentence(ggaSentence(emulator.currentFix()));
          clock.t = ts;
          if (gga.ok && gga.value.type === 'GGA' && gga.value.quality > 0 && gga.value.lat !== undefined) {
            const g = gga.value;
            metrics.gnss_fix = g.quality;
            return {
              ts,
              metrics,
              loc: {
                lat: g.lat!,
                lon: g.lon!,
                ...(g.alt === undefined ? {} : { alt: g.alt }),
                ...(g.hdop === undefined ? {} : { hdop: g.hdop }),
                ...(g.sats === undefined ? {} : { sats: g.sats }),
              },
            };
          }
          return { ts, metrics };
        },
      };
    }
    case 'energy': {
      const model = new HouseholdModel(deviceSeed, location, startMs);
      const clock = new ManualClock();
      return {
        injector,
        sample: (ts) => {
          clock.t = ts;
          const measured = measureHousehold({ model, faults: injector, clock }, ts);
          if (!measured) {
            return undefined;
          }
          const parsed = parseDsmrTelegram(dsmr5Telegram(measured, ts), { now: ts });
          return parsed.ok ? parsed.value.sample : undefined;
        },
      };
    }
  }
}
