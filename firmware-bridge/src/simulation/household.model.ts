/**
 * A household behind a smart meter. Instantaneous power is a pure function of time (base load, fridge
 * cycling, a morning and an evening peak in local solar time, appliance runs drawn per 15-minute slot, and
 * PV following the sun's elevation under the same cloud field the weather model uses, so neighbours agree).
 * The energy registers integrate it at a fixed simulated step (default 10 s): they only ever grow, and
 * their growth between two instants is ∫ power dt. Net power import = max(load − PV, 0), export =
 * max(PV − load, 0) ("saldering" over the phases, as Dutch meters do).
 *
 * Voltage per phase: 230 V × (1 ± 1 % grid field shared by neighbours ± 0.4 % local), +0.6 V per kW exported
 * and −0.4 V per kW drawn on that phase, clamped to 230 V ± 2 %. Current per phase = |phase power| / voltage.
 * Tariff: T1 (low) 23:00–07:00 local solar time and at weekends, T2 otherwise (the Dutch convention).
 */
import { fieldNoise, hash01, hashSeed, valueNoise } from './prng.js';
import { clearSkyIrradiance, localSolarHours, sunPosition } from './sun-position.js';
import { DEFAULT_WORLD_SEED, WeatherModel, type GeoPoint } from './weather.model.js';

export interface HouseholdState {
  ts: number;
  /** W, net from the grid */
  power_import: number;
  /** W, net to the grid */
  power_export: number;
  voltage_l1: number;
  voltage_l2: number;
  voltage_l3: number;
  current_l1: number;
  current_l2: number;
  current_l3: number;
  /** Wh registers */
  energy_import_t1: number;
  energy_import_t2: number;
  energy_export_t1: number;
  energy_export_t2: number;
  /** 1 = low (T1), 2 = normal (T2) */
  tariff: 1 | 2;
  phases: 1 | 3;
  /** W, for tests and dashboards: what the house draws and what the panels make */
  load: number;
  pv: number;
}

export interface HouseholdOptions {
  readonly stepMs?: number;
  readonly phases?: 1 | 3;
  /** PV peak power (W); 0 for none. Default: seeded (30 % of homes none, else 2.5–6 kW) */
  readonly pvPeakW?: number;
  readonly worldSeed?: number;
}

const MIN = 60_000;
const SLOT = 15 * MIN;
/** [name, W, minutes, phase-independent probability weight] */
const APPLIANCES: readonly [string, number, number][] = [
  ['kettle', 2000, 3],
  ['oven', 2400, 45],
  ['washing_machine', 1900, 25],
  ['dishwasher', 1800, 30],
  ['hob', 3000, 20],
  ['vacuum', 900, 15],
];

export class HouseholdModel {
  readonly phases: 1 | 3;
  readonly pvPeakW: number;
  private readonly seed: number;
  private readonly stepMs: number;
  private readonly baseW: number;
  private readonly weather: WeatherModel;
  private readonly world: number;
  private registers: [number, number, number, number];
  private integratedTo: number;

  constructor(
    seed: number,
    readonly location: GeoPoint,
    startTs: number,
    options: HouseholdOptions = {},
  ) {
    this.seed = hashSeed('household', seed);
    this.stepMs = options.stepMs ?? 10_000;
    this.world = options.worldSeed ?? DEFAULT_WORLD_SEED;
    this.weather = new WeatherModel(seed, location, this.world);
    this.phases = options.phases ?? (hash01(this.seed, 1) < 0.6 ? 3 : 1);
    this.pvPeakW = options.pvPeakW ?? (hash01(this.seed, 2) < 0.3 ? 0 : Math.round(2500 + 3500 * hash01(this.seed, 3)));
    this.baseW = 120 + 180 * hash01(this.seed, 4);
    this.registers = [
      Math.round(2_000_000 + 13_000_000 * hash01(this.seed, 5)),
      Math.round(2_000_000 + 13_000_000 * hash01(this.seed, 6)),
      this.pvPeakW > 0 ? Math.round(500_000 + 4_000_000 * hash01(this.seed, 7)) : 0,
      this.pvPeakW > 0 ? Math.round(500_000 + 4_000_000 * hash01(this.seed, 8)) : 0,
    ];
    this.integratedTo = startTs;
  }

  /** Per-phase load (W) at ts. */
  private loadByPhase(ts: number): [number, number, number] {
    const hours = localSolarHours(ts, this.location.lon);
    const bump = (centre: number, width: number) =>
      Math.exp(-((((hours - centre + 36) % 24) - 12) ** 2) / (2 * width * width));
    const people = 350 * bump(7.5, 1) + 700 * bump(19, 2) + 150 * bump(13, 2.5);
    const fridge = valueNoise(this.seed ^ 9, ts, 45 * MIN) > 0.2 ? 90 : 0;
    const flicker = 1 + 0.03 * (hash01(this.seed ^ 10, Math.floor(ts / 10_000)) - 0.5);
    const phases: [number, number, number] = [0, 0, 0];
    const shared = (this.baseW + fridge + people) * flicker;
    const split = this.phases === 3 ? [0.45, 0.33, 0.22] : [1, 0, 0];
    split.forEach((w, i) => (phases[i] = phases[i]! + shared * w));
    const slot = Math.floor(ts / SLOT);
    for (let s = slot - 4; s <= slot; s++) {
      const h = localSolarHours(s * SLOT, this.location.lon);
      const near = Math.exp(-((((h - 18.5 + 36) % 24) - 12) ** 2) / 4.5);
      const chance = h >= 6 && h < 23 ? 0.12 + 0.1 * near : 0.01;
      if (hash01(this.seed ^ 11, s) >= chance) {
        continue;
      }
      const [, watts, minutes] = APPLIANCES[Math.floor(hash01(this.seed ^ 12, s) * APPLIANCES.length)]!;
      const start = s * SLOT + hash01(this.seed ^ 13, s) * SLOT;
      if (ts >= start && ts < start + minutes * MIN) {
        const p = this.phases === 3 ? Math.floor(hash01(this.seed ^ 14, s) * 3) : 0;
        phases[p] = phases[p]! + watts;
      }
    }
    return phases;
  }

  /** PV output per phase (W) at ts. */
  private pvByPhase(ts: number): [number, number, number] {
    if (this.pvPeakW === 0) {
      return [0, 0, 0];
    }
    const { lat, lon } = this.location;
    const cloud = this.weather.cloud(ts);
    const pv =
      (this.pvPeakW * clearSkyIrradiance(sunPosition(ts, lat, lon).elevationDeg) * (1 - 0.75 * cloud ** 3.4)) / 1000;
    return this.phases === 3 && this.pvPeakW > 4600 ? [pv / 3, pv / 3, pv / 3] : [pv, 0, 0];
  }

  private tariffAt(ts: number): 1 | 2 {
    const hours = localSolarHours(ts, this.location.lon);
    const day = new Date(ts + (this.location.lon / 15) * 3_600_000).getUTCDay();
    return day === 0 || day === 6 || hours >= 23 || hours < 7 ? 1 : 2;
  }

  /** Net power (W, + import) at ts, and its parts. */
  private power(ts: number) {
    const load = this.loadByPhase(ts);
    const pv = this.pvByPhase(ts);
    const phase = load.map((l, i) => l - pv[i]!) as [number, number, number];
    return { load, pv, phase, net: phase[0] + phase[1] + phase[2] };
  }

  /** The state at ts. Registers integrate forward only (an earlier ts reuses the registers integrated so far). */
  advanceTo(ts: number): HouseholdState {
    for (; this.integratedTo + this.stepMs <= ts; this.integratedTo += this.stepMs) {
      const { net } = this.power(this.integratedTo);
      const wh = (Math.abs(net) * this.stepMs) / 3_600_000;
      const t = this.tariffAt(this.integratedTo);
      const index = (net >= 0 ? 0 : 2) + (t - 1);
      this.registers[index] = this.registers[index]! + wh;
    }
    const { load, pv, phase, net } = this.power(ts);
    const grid = 0.01 * fieldNoise(this.world ^ 0x2001, this.location.lat, this.location.lon, ts, 0.5, 2 * 3_600_000);
    const voltages = phase.map((p, i) => {
      const local = 0.004 * valueNoise(this.seed ^ (20 + i), ts, MIN);
      const v = 230 * (1 + grid + local) - (p > 0 ? 0.4 : 0.6) * (p / 1000);
      return Math.min(234.6, Math.max(225.4, v));
    });
    const [i1, i2, i3] = phase.map((p, i) => Math.abs(p) / voltages[i]!);
    return {
      ts,
      power_import: Math.max(net, 0),
      power_export: Math.max(-net, 0),
      voltage_l1: voltages[0]!,
      voltage_l2: this.phases === 3 ? voltages[1]! : 0,
      voltage_l3: this.phases === 3 ? voltages[2]! : 0,
      current_l1: i1!,
      current_l2: i2!,
      current_l3: i3!,
      energy_import_t1: this.registers[0],
      energy_import_t2: this.registers[1],
      energy_export_t1: this.registers[2],
      energy_export_t2: this.registers[3],
      tariff: this.tariffAt(ts),
      phases: this.phases,
      load: load[0] + load[1] + load[2],
      pv: pv[0] + pv[1] + pv[2],
    };
  }
}
