/**
 * A vehicle on the road, stepped at a fixed simulated step (default 1 s) so its state at a time is the same
 * however it is sampled. Reproducible from its seed.
 *
 * - speed: segments (urban 30–50 km/h, rural 60–90, highway 100–125) joined by stops; acceleration limited to
 *   +2.5 m/s² (less at speed), deceleration to −3.5 m/s²; braking starts in time for the stop;
 * - gear from 6 ratios (shift up ~2200–3000 rpm, down below 1300); rpm = wheel speed × gear × final drive,
 *   idle ~780 rpm when stopped or clutching;
 * - engine load from the road-load power (inertia + aero + rolling); fuel burnt ∝ positive power + idle;
 *   fuel level only rises at a refuel stop (below 8 %, refilled to 90–100 %);
 * - coolant warms from ambient toward the thermostat's ~90 °C (time constant ~5 min), then hovers;
 * - odometer = ∫ speed dt (trapezoid per step); position moves along the heading by the same distance
 *   (equirectangular), turning more in town, steered back once more than `homeRadiusM` from the start.
 */
import { hashSeed, Prng, valueNoise } from './prng.js';
import type { GeoPoint } from './weather.model.js';

export interface VehicleState {
  ts: number;
  /** m/s */
  speed: number;
  /** m/s² over the last step */
  accel: number;
  gear: number;
  rpm: number;
  coolant_temperature: number;
  /** % of tank */
  fuel_level: number;
  /** % */
  engine_load: number;
  /** m */
  odometer: number;
  lat: number;
  lon: number;
  alt: number;
  /** degrees clockwise from north */
  heading: number;
  sats: number;
  hdop: number;
}

export interface DriveCycleOptions {
  /** simulated integration step (ms, default 1000) */
  readonly stepMs?: number;
  /** how far the vehicle roams before heading home (m, default 15 000) */
  readonly homeRadiusM?: number;
}

type SegmentKind = 'urban' | 'rural' | 'highway';
interface Segment {
  kind: SegmentKind;
  targetMs: number;
  lengthM: number;
  travelledM: number;
  stopS: number;
}

const RATIOS = [3.8, 2.2, 1.45, 1.05, 0.85, 0.7];
const FINAL_DRIVE = 3.9;
const WHEEL_RADIUS_M = 0.31;
const MASS_KG = 1400;
const TANK_L = 50;
const EARTH_M_PER_DEG = 111_320;

export class DriveCycleModel {
  private readonly rng: Prng;
  private readonly seed: number;
  private readonly stepMs: number;
  private readonly homeRadiusM: number;
  private readonly s: VehicleState;
  private segment: Segment | undefined;
  private stopLeftS = 0;
  private fuelL: number;
  private distanceM = 0;

  constructor(
    seed: number,
    private readonly home: GeoPoint,
    startTs: number,
    options: DriveCycleOptions = {},
  ) {
    this.seed = hashSeed('vehicle', seed);
    this.rng = new Prng(this.seed);
    this.stepMs = options.stepMs ?? 1000;
    this.homeRadiusM = options.homeRadiusM ?? 15_000;
    this.fuelL = TANK_L * this.rng.range(0.35, 0.95);
    const ambient = this.rng.range(5, 25);
    this.s = {
      ts: startTs,
      speed: 0,
      accel: 0,
      gear: 1,
      rpm: 780,
      coolant_temperature: ambient,
      fuel_level: (100 * this.fuelL) / TANK_L,
      engine_load: 20,
      odometer: Math.round(this.rng.range(20_000, 220_000)) * 1000,
      lat: home.lat,
      lon: home.lon,
      alt: home.alt ?? 0,
      heading: this.rng.range(0, 360),
      sats: 9,
      hdop: 0.9,
    };
  }

  /** The state at `ts`, stepping forward as needed (never backward: an earlier ts returns the current state). */
  advanceTo(ts: number): Readonly<VehicleState> {
    while (this.s.ts + this.stepMs <= ts) {
      this.step(this.stepMs / 1000);
    }
    return this.s;
  }

  get state(): Readonly<VehicleState> {
    return this.s;
  }

  private nextSegment(): Segment {
    const r = this.rng.next();
    const kind: SegmentKind = r < 0.55 ? 'urban' : r < 0.85 ? 'rural' : 'highway';
    const [vMin, vMax, lMin, lMax, stopP] =
      kind === 'urban'
        ? [30, 50, 200, 1200, 0.7]
        : kind === 'rural'
          ? [60, 90, 1000, 5000, 0.3]
          : [100, 125, 3000, 15000, 0.1];
    if (kind === 'urban' && this.rng.next() < 0.5) {
      this.s.heading = (this.s.heading + (this.rng.next() < 0.5 ? 90 : -90) + 360) % 360; // a turn at a junction
    }
    return {
      kind,
      targetMs: this.rng.range(vMin, vMax) / 3.6,
      lengthM: this.rng.range(lMin, lMax),
      travelledM: 0,
      stopS: this.rng.next() < stopP ? this.rng.range(5, 45) : 0,
    };
  }

  private step(dt: number): void {
    const s = this.s;
    if (this.stopLeftS > 0) {
      this.stopLeftS -= dt;
      if (this.fuelL < 0.08 * TANK_L) {
        this.fuelL = TANK_L * this.rng.range(0.9, 1); // refuel while stopped
      }
    } else {
      this.segment ??= this.nextSegment();
    }
    const seg = this.stopLeftS > 0 ? undefined : this.segment;
    const v0 = s.speed;
    let target = seg ? seg.targetMs * (1 + 0.05 * valueNoise(this.seed, s.ts, 20_000)) : 0;
    if (seg && seg.stopS > 0 && seg.lengthM - seg.travelledM <= (v0 * v0) / (2 * 2.0) + v0) {
      target = 0;
    }
    const aMax = 2.5 * Math.max(0.3, 1 - v0 / 50);
    const accel = Math.min(aMax, Math.max(-3.5, (target - v0) / 3));
    let v1 = Math.max(0, v0 + accel * dt);
    const stopsNow = seg !== undefined && seg.stopS > 0 && target === 0 && v1 < 0.3;
    if (stopsNow) {
      v1 = 0;
    }
    const travelled = ((v0 + v1) / 2) * dt;
    if (seg) {
      seg.travelledM += travelled;
      if (stopsNow) {
        this.stopLeftS = seg.stopS;
        this.segment = undefined;
      } else if (seg.stopS === 0 && seg.travelledM >= seg.lengthM) {
        this.segment = undefined;
      }
    }
    s.speed = v1;
    s.accel = (v1 - v0) / dt;
    s.odometer += travelled;
    this.distanceM += travelled;
    this.move(travelled, dt, seg?.kind ?? 'urban');
    this.powertrain(dt);
    s.ts += dt * 1000;
  }

  private move(distance: number, dt: number, kind: SegmentKind): void {
    const s = this.s;
    if (distance <= 0) {
      return;
    }
    const turnStd = kind === 'urban' ? 4 : kind === 'rural' ? 1.5 : 0.4;
    s.heading += this.rng.normal() * turnStd * Math.sqrt(dt);
    const northM = (s.lat - this.home.lat) * EARTH_M_PER_DEG;
    const eastM = (s.lon - this.home.lon) * EARTH_M_PER_DEG * Math.cos((this.home.lat * Math.PI) / 180);
    if (Math.hypot(northM, eastM) > this.homeRadiusM) {
      const homeBearing = (Math.atan2(-eastM, -northM) * 180) / Math.PI;
      const diff = ((homeBearing - s.heading + 540) % 360) - 180;
      s.heading += Math.max(-10, Math.min(10, diff)) * dt;
    }
    s.heading = ((s.heading % 360) + 360) % 360;
    const h = (s.heading * Math.PI) / 180;
    s.lat += (distance * Math.cos(h)) / EARTH_M_PER_DEG;
    s.lon += (distance * Math.sin(h)) / (EARTH_M_PER_DEG * Math.cos((s.lat * Math.PI) / 180));
    s.alt = (this.home.alt ?? 0) + 20 * valueNoise(this.seed ^ 1, this.distanceM, 2000);
  }

  private powertrain(dt: number): void {
    const s = this.s;
    const v = s.speed;
    const powerW = MASS_KG * s.accel * v + 0.5 * 1.2 * 0.65 * v ** 3 + 0.012 * MASS_KG * 9.81 * v;
    const idle = 780 + 30 * valueNoise(this.seed ^ 2, s.ts, 7000);
    const inGear = (gear: number) => (v / (2 * Math.PI * WHEEL_RADIUS_M)) * 60 * RATIOS[gear - 1]! * FINAL_DRIVE;
    if (v < 1.5) {
      s.gear = 1;
    } else {
      const upshift = 2200 + 800 * Math.min(1, Math.max(0, s.accel / 2));
      while (s.gear < RATIOS.length && inGear(s.gear) > upshift) {
        s.gear++;
      }
      while (s.gear > 1 && inGear(s.gear) < 1300) {
        s.gear--;
      }
    }
    s.rpm = Math.max(idle, inGear(s.gear) * (1 + 0.005 * this.rng.normal()));
    s.engine_load = powerW > 0 ? Math.min(100, 18 + (100 * powerW) / 80_000) : v > 1 ? 8 : 20;
    const litresPerHour = 0.7 + (Math.max(0, powerW) / 1000) * 0.3;
    this.fuelL = Math.max(0, this.fuelL - (litresPerHour * dt) / 3600);
    s.fuel_level = (100 * this.fuelL) / TANK_L;
    const thermostat = 90 + 2 * valueNoise(this.seed ^ 3, s.ts, 120_000) + 0.03 * s.engine_load;
    const tau = 300 / (0.6 + s.engine_load / 100);
    s.coolant_temperature += ((thermostat - s.coolant_temperature) * dt) / tau;
    s.sats = 8 + Math.round(3 * valueNoise(this.seed ^ 4, s.ts, 600_000));
    s.hdop = Math.round((0.7 + 0.1 * (12 - s.sats)) * 10) / 10;
  }
}
