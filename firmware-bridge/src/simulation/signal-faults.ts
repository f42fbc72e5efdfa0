/**
 * Signal faults: what a broken, misplaced or dishonest device measures. Applied per device to the model's
 * true state before it is encoded in the hardware protocol, so the bridge reads them like any reading.
 * Every random choice comes from the device's fault seed: the same seed gives the same faults.
 *
 * Each fault is active from its onset (default: the start of the simulation; `onsetAfterMs` delays it).
 *
 * | fault        | kinds   | exact effect on what the device reports                                                    |
 * |--------------|---------|--------------------------------------------------------------------------------------------|
 * | stuck        | all     | one metric (seeded pick: weather temperature/humidity/pressure/wind_speed; vehicle          |
 * |              |         | coolant_temperature/fuel_level/rpm; energy voltage_l1/power_import) keeps the value of the   |
 * |              |         | first sample at or after onset, exactly, while the other metrics keep moving.                |
 * | spike        | all     | each sample after onset, with probability 3 %, one metric jumps for that sample only:        |
 * |              |         | temperature ±8–20 °C, pressure ±1500–4000 Pa, humidity ±25–50 % (clipped 1–100),             |
 * |              |         | wind_speed +10–30 m/s (gust raised to match); rpm +2500–5000, speed +40–90 km/h,             |
 * |              |         | coolant +25–60 °C; power_import +5–15 kW (power_export set to 0), voltage_l1 ±20–45 V.       |
 * | drift        | all     | a bias growing linearly from onset: weather temperature +1.5 °C/day; vehicle speed ×(1 +     |
 * |              |         | 4 %/day) (odometer and GNSS unaffected); energy voltage_l1 +3 V/day. `ratePerDay` overrides. |
 * | dropout      | all     | no samples during windows: every hour after onset, with probability 30 %, a window starts at |
 * |              |         | a uniform minute of the hour and lasts 10–50 min (~15 % of time lost). Push devices send      |
 * |              |         | nothing; polled devices (ELM327, Modbus) do not answer, so the bridge times out.              |
 * | indoor       | weather | the station is indoors: temperature 21 + 0.12·(outdoor − 12) ± 0.4 °C (slow), dew point     |
 * |              |         | min(T − 6, outdoor dew point + 2) → humidity ~40–65 %, wind and gust 0, direction frozen,      |
 * |              |         | rain 0, solar 3 % of outdoor (window light), UV 0. Pressure stays true.                        |
 * | gps_teleport | vehicle | every 10 min, with probability 15 %, the position jumps 3–60 km (seeded bearing) for 20–120 s, |
 * |              |         | then returns to the true track. OBD values are unaffected.                                     |
 * | gps_spoof    | vehicle | from onset, one seeded variant: `static` — the position freezes where it was at onset while    |
 * |              |         | the car drives on; `far` — the true track shifted by a constant 200–2000 km (moves consistently |
 * |              |         | with speed, far from the declared place); `inconsistent` — a 2 km circle around home at a      |
 * |              |         | constant 30 m/s whatever the OBD speed (also when stopped).                                    |
 */
import type { HardwareKind } from '@groundtruth/protocol';
import { dewPointMagnus, humidityFromDewPoint } from '../adapters/units.js';
import { SIGNAL_FAULTS, type SignalFault } from './faults.js';
import { hash01, hashSeed, valueNoise } from './prng.js';
import type { GeoPoint } from './weather.model.js';

export type SpoofVariant = 'static' | 'far' | 'inconsistent';

export interface SignalFaultSpec {
  readonly type: SignalFault;
  /** delay after the simulation start before the fault begins (ms, default 0) */
  readonly onsetAfterMs?: number;
  /** stuck/spike/drift: which metric (default: seeded pick among the kind's candidates) */
  readonly metric?: string;
  readonly variant?: SpoofVariant;
  /** drift rate per day (°C, V, or fraction for vehicle speed) */
  readonly ratePerDay?: number;
}

/** A fault with its seeded choices resolved: what the scoring side can be told for ground truth. */
export interface FaultPlan {
  readonly type: SignalFault;
  readonly onsetMs: number;
  readonly metric?: string;
  readonly variant?: SpoofVariant;
  readonly ratePerDay?: number;
}

export interface ReportedPosition {
  readonly lat: number;
  readonly lon: number;
  readonly speedMs?: number;
  readonly courseDeg?: number;
}

export class SimulationConfigError extends Error {
  override readonly name = 'SimulationConfigError';
  constructor(
    readonly code: 'FAULT_NOT_APPLICABLE' | 'UNKNOWN_FAULT' | 'BAD_DEVICE_CONFIG',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const STUCK: Record<HardwareKind, readonly string[]> = {
  weather: ['temperature', 'humidity', 'pressure', 'wind_speed'],
  vehicle: ['coolant_temperature', 'fuel_level', 'rpm'],
  energy: ['voltage_l1', 'power_import'],
};
const SPIKE: Record<HardwareKind, readonly string[]> = {
  weather: ['temperature', 'pressure', 'humidity', 'wind_speed'],
  vehicle: ['rpm', 'speed', 'coolant_temperature'],
  energy: ['power_import', 'voltage_l1'],
};
const DRIFT: Record<HardwareKind, { metric: string; rate: number }> = {
  weather: { metric: 'temperature', rate: 1.5 },
  vehicle: { metric: 'speed', rate: 0.04 },
  energy: { metric: 'voltage_l1', rate: 3 },
};

/** The signal faults that make sense for a kind of hardware. */
export function applicableFaults(kind: HardwareKind): readonly SignalFault[] {
  return SIGNAL_FAULTS.filter((f) =>
    f === 'indoor' ? kind === 'weather' : f.startsWith('gps_') ? kind === 'vehicle' : true,
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EARTH_M_PER_DEG = 111_320;

export class SignalFaultInjector {
  readonly plans: readonly FaultPlan[];
  private readonly seed: number;
  private readonly active: Map<SignalFault, FaultPlan>;
  private stuckValue: number | undefined;
  private spoofAnchor: { lat: number; lon: number } | undefined;

  constructor(
    readonly kind: HardwareKind,
    faults: readonly (SignalFault | SignalFaultSpec)[],
    seed: number,
    startMs: number,
    private readonly home?: GeoPoint,
  ) {
    this.seed = hashSeed('faults', seed);
    const allowed = applicableFaults(kind);
    this.plans = faults.map((fault, i) => {
      const spec: SignalFaultSpec = typeof fault === 'string' ? { type: fault } : fault;
      if (!(SIGNAL_FAULTS as readonly string[]).includes(spec.type)) {
        throw new SimulationConfigError('UNKNOWN_FAULT', `"${spec.type}" is not a signal fault`);
      }
      if (!allowed.includes(spec.type)) {
        throw new SimulationConfigError('FAULT_NOT_APPLICABLE', `${spec.type} does not apply to ${kind} devices`);
      }
      const pickFrom = (list: readonly string[]) =>
        spec.metric ?? list[Math.floor(hash01(this.seed, 100 + i) * list.length)]!;
      const variants: SpoofVariant[] = ['static', 'far', 'inconsistent'];
      return {
        type: spec.type,
        onsetMs: startMs + (spec.onsetAfterMs ?? 0),
        metric:
          spec.type === 'stuck'
            ? pickFrom(STUCK[kind])
            : spec.type === 'drift'
              ? (spec.metric ?? DRIFT[kind].metric)
              : spec.metric,
        variant:
          spec.type === 'gps_spoof' ? (spec.variant ?? variants[Math.floor(hash01(this.seed, 200) * 3)]) : undefined,
        ratePerDay: spec.type === 'drift' ? (spec.ratePerDay ?? DRIFT[kind].rate) : undefined,
      };
    });
    this.active = new Map(this.plans.map((plan) => [plan.type, plan]));
  }

  private on(type: SignalFault, ts: number): FaultPlan | undefined {
    const plan = this.active.get(type);
    return plan && ts >= plan.onsetMs ? plan : undefined;
  }

  /** Whether the device is silent at ts (dropout). */
  isDropped(ts: number): boolean {
    const plan = this.on('dropout', ts);
    if (!plan) {
      return false;
    }
    const slot = Math.floor(ts / HOUR);
    for (const s of [slot - 1, slot]) {
      if (s * HOUR + HOUR < plan.onsetMs || hash01(this.seed ^ 1, s) >= 0.3) {
        continue;
      }
      const start = s * HOUR + hash01(this.seed ^ 2, s) * HOUR;
      const end = start + (10 + 40 * hash01(this.seed ^ 3, s)) * 60_000;
      if (ts >= start && ts < end) {
        return true;
      }
    }
    return false;
  }

  /** Applies indoor, drift, stuck and spike (in that order) to a full set of true metrics. */
  metrics(ts: number, truth: Readonly<Record<string, number>>): Record<string, number> {
    const m: Record<string, number> = { ...truth };
    if (this.on('indoor', ts)) {
      this.indoor(ts, m);
    }
    const drift = this.on('drift', ts);
    if (drift?.metric !== undefined && m[drift.metric] !== undefined) {
      const days = (ts - drift.onsetMs) / DAY;
      m[drift.metric] =
        this.kind === 'vehicle'
          ? m[drift.metric]! * (1 + drift.ratePerDay! * days)
          : m[drift.metric]! + drift.ratePerDay! * days;
    }
    const stuck = this.on('stuck', ts);
    if (stuck?.metric !== undefined && m[stuck.metric] !== undefined) {
      this.stuckValue ??= m[stuck.metric];
      m[stuck.metric] = this.stuckValue!;
    }
    if (this.on('spike', ts)) {
      this.spike(ts, m);
    }
    return m;
  }

  private indoor(ts: number, m: Record<string, number>): void {
    const outdoorT = m.temperature ?? 12;
    const t = 21 + 0.12 * (outdoorT - 12) + 0.4 * valueNoise(this.seed ^ 4, ts, 3 * HOUR);
    const outdoorDew = m.dew_point ?? dewPointMagnus(outdoorT, m.humidity ?? 70);
    const humidity = humidityFromDewPoint(t, Math.min(t - 6, outdoorDew + 2));
    Object.assign(m, {
      temperature: t,
      humidity,
      dew_point: dewPointMagnus(t, humidity),
      wind_speed: 0,
      wind_gust: 0,
      wind_direction: Math.round(hash01(this.seed, 5) * 360),
      rain_rate: 0,
      rain_daily: 0,
      solar_irradiance: 0.03 * (m.solar_irradiance ?? 0),
      uv_index: 0,
    });
  }

  private spike(ts: number, m: Record<string, number>): void {
    const second = Math.floor(ts / 1000);
    if (hash01(this.seed ^ 6, second) >= 0.03) {
      return;
    }
    const candidates = SPIKE[this.kind];
    const metric = candidates[Math.floor(hash01(this.seed ^ 7, second) * candidates.length)]!;
    const u = hash01(this.seed ^ 8, second);
    const sign = hash01(this.seed ^ 9, second) < 0.5 ? -1 : 1;
    const value = m[metric];
    if (value === undefined) {
      return;
    }
    switch (metric) {
      case 'temperature':
        m.temperature = value + sign * (8 + 12 * u);
        break;
      case 'pressure':
        m.pressure = value + sign * (1500 + 2500 * u);
        break;
      case 'humidity':
        m.humidity = Math.min(100, Math.max(1, value + sign * (25 + 25 * u)));
        break;
      case 'wind_speed':
        m.wind_speed = value + 10 + 20 * u;
        m.wind_gust = Math.max(m.wind_gust ?? 0, m.wind_speed);
        break;
      case 'rpm':
        m.rpm = value + 2500 + 2500 * u;
        break;
      case 'speed':
        m.speed = value + (40 + 50 * u) / 3.6;
        break;
      case 'coolant_temperature':
        m.coolant_temperature = value + 25 + 35 * u;
        break;
      case 'power_import':
        m.power_import = value + 5000 + 10_000 * u;
        m.power_export = 0;
        break;
      default:
        m[metric] = value + sign * (20 + 25 * u);
    }
  }

  /**
   * The position the GNSS reports at ts, given the true one. `speedMs`/`courseDeg` are set when the fault
   * also changes the GNSS velocity (a static spoof reports 0; the circling one 30 m/s along the circle).
   */
  location(ts: number, truth: { lat: number; lon: number }): ReportedPosition {
    const spoof = this.on('gps_spoof', ts);
    if (spoof) {
      return this.spoofed(ts, truth, spoof.variant ?? 'static');
    }
    if (this.on('gps_teleport', ts)) {
      const slot = Math.floor(ts / 600_000);
      if (hash01(this.seed ^ 10, slot) < 0.15) {
        const start = slot * 600_000 + hash01(this.seed ^ 11, slot) * 600_000;
        if (ts >= start && ts < start + (20 + 100 * hash01(this.seed ^ 12, slot)) * 1000) {
          return offset(truth, 3000 + 57_000 * hash01(this.seed ^ 13, slot), 360 * hash01(this.seed ^ 14, slot));
        }
      }
    }
    return { lat: truth.lat, lon: truth.lon };
  }

  private spoofed(ts: number, truth: { lat: number; lon: number }, variant: SpoofVariant): ReportedPosition {
    switch (variant) {
      case 'static':
        this.spoofAnchor ??= { lat: truth.lat, lon: truth.lon };
        return { ...this.spoofAnchor, speedMs: 0, courseDeg: 0 };
      case 'far':
        return offset(truth, 200_000 + 1_800_000 * hash01(this.seed, 15), 360 * hash01(this.seed, 16));
      case 'inconsistent': {
        const centre = this.home ?? truth;
        const bearing = (((30 * (ts / 1000)) / 2000) * 180) / Math.PI; // 30 m/s along a 2 km radius
        return { ...offset(centre, 2000, bearing), speedMs: 30, courseDeg: (((bearing + 90) % 360) + 360) % 360 };
      }
    }
  }
}

/** The point `distanceM` from `p` along `bearingDeg` (equirectangular; fine below a few thousand km). */
export function offset(
  p: { lat: number; lon: number },
  distanceM: number,
  bearingDeg: number,
): { lat: number; lon: number } {
  const b = (bearingDeg * Math.PI) / 180;
  const lat = Math.max(-89.9, Math.min(89.9, p.lat + (distanceM * Math.cos(b)) / EARTH_M_PER_DEG));
  let lon = p.lon + (distanceM * Math.sin(b)) / (EARTH_M_PER_DEG * Math.cos((p.lat * Math.PI) / 180));
  lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  return { lat, lon };
}
