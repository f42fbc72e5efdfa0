/**
 * A physically plausible weather signal for a station, as a pure function of (world seed, station seed,
 * location, time). Large-scale fields (pressure systems, cloud, wind, rain cells) come from the world seed
 * and vary smoothly in space, so neighbouring stations agree; the station seed adds what differs between
 * two real stations a few km apart (siting offset, exposure, sensor noise).
 *
 * - temperature: zonal climate (27 − 0.0075·lat² °C, −6.5 °C/km), seasonal cycle (amplitude 0.15·|lat| °C,
 *   warmest ~19 July in the north), diurnal cycle peaking ~15:00 local solar time whose amplitude clouds
 *   damp, synoptic anomalies of ±4 °C over days;
 * - dew point from the air mass (daily-mean temperature minus a depression), ≤ temperature; relative
 *   humidity from both by the Magnus formula, so humidity falls as the day warms (anti-correlated);
 * - pressure: standard atmosphere at the altitude + pressure systems (±1500 Pa, ~3 days) + semidiurnal tide;
 * - wind: mean speed stronger in low pressure and by day; gust = mean × (1.25..1.6) + 0..0.5 m/s ≥ mean;
 * - solar irradiance: Haurwitz clear sky at the sun's elevation (NOAA position) × Kasten–Czeplak cloud
 *   factor; exactly 0 when the sun is below the horizon. UV index from the same elevation and cloud;
 * - rain: rain cells (0.2° fields, ~1 h) where cloud is thick and pressure low; rate piecewise constant per
 *   5 min; rain_daily = Σ rate·Δt since local (solar) midnight.
 */
import { dewPointMagnus, humidityFromDewPoint } from '../adapters/units.js';
import { fieldNoise, hash01, hashSeed, valueNoise } from './prng.js';
import { clearSkyIrradiance, localSolarHours, sunPosition } from './sun-position.js';

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  /** metres above mean sea level */
  readonly alt?: number;
}

/** What the station measures, in the weather catalogue's SI units. */
export interface WeatherState {
  temperature: number;
  humidity: number;
  dew_point: number;
  pressure: number;
  wind_speed: number;
  wind_gust: number;
  wind_direction: number;
  rain_rate: number;
  rain_daily: number;
  solar_irradiance: number;
  uv_index: number;
}

export const DEFAULT_WORLD_SEED = hashSeed('groundtruth-world');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RAIN_STEP = 5 * 60_000;

export class WeatherModel {
  private readonly world: number;
  private readonly station: number;
  private readonly offsetC: number;
  private readonly exposure: number;
  private readonly pressureOffset: number;
  private rainCache = { dayStart: NaN, upTo: NaN, sumMm: 0 };

  constructor(
    seed: number,
    readonly location: GeoPoint,
    worldSeed = DEFAULT_WORLD_SEED,
  ) {
    this.world = worldSeed;
    this.station = hashSeed('weather-station', seed);
    this.offsetC = (hash01(this.station, 1) - 0.5) * 1.2;
    this.exposure = 0.7 + 0.5 * hash01(this.station, 2);
    this.pressureOffset = (hash01(this.station, 3) - 0.5) * 60;
  }

  private field(salt: number, ts: number, cellDeg: number, periodMs: number): number {
    return fieldNoise(this.world ^ salt, this.location.lat, this.location.lon, ts, cellDeg, periodMs);
  }

  /** Pressure systems, normalised to [-1, 1] (negative = low pressure). */
  private pressureAnomaly(ts: number): number {
    return this.field(0x1001, ts, 6, 3 * DAY);
  }

  /** Cloud cover [0, 1]. */
  cloud(ts: number): number {
    return clamp(0.45 + 0.6 * this.field(0x1002, ts, 3, 8 * HOUR) - 0.35 * this.pressureAnomaly(ts), 0, 1);
  }

  /** Rain rate (mm/h) of the 5-minute step containing ts. */
  private rainRate(stepStart: number): number {
    const cloud = this.cloud(stepStart);
    const cell = this.field(0x1003, stepStart, 0.2, HOUR);
    const threshold = 0.25 - 0.3 * (cloud - 0.6) + 0.15 * this.pressureAnomaly(stepStart);
    if (cloud < 0.55 || cell <= threshold) {
      return 0;
    }
    return Math.round(((cell - threshold) * 5 + 0.1) * 10) / 10;
  }

  /** Rain since local solar midnight (mm), cached so sampling forward in time is cheap. */
  private rainDaily(ts: number): number {
    const hours = localSolarHours(ts, this.location.lon);
    const dayStart = Math.floor((ts - hours * HOUR) / RAIN_STEP) * RAIN_STEP;
    const currentStep = Math.floor(ts / RAIN_STEP) * RAIN_STEP;
    const cache = this.rainCache;
    if (cache.dayStart !== dayStart || cache.upTo > currentStep) {
      this.rainCache = { dayStart, upTo: dayStart, sumMm: 0 };
    }
    const c = this.rainCache;
    for (; c.upTo < currentStep; c.upTo += RAIN_STEP) {
      c.sumMm += (this.rainRate(c.upTo) * RAIN_STEP) / HOUR;
    }
    return c.sumMm + (this.rainRate(currentStep) * (ts - currentStep)) / HOUR;
  }

  /** The state at `ts` (ms UTC). Pure in (seeds, location, ts). */
  at(ts: number): WeatherState {
    const { lat, lon } = this.location;
    const alt = this.location.alt ?? 0;
    const solarHours = localSolarHours(ts, lon);
    const doy = (ts % (365.25 * DAY)) / DAY;
    const cloud = this.cloud(ts);
    const pressureAnomaly = this.pressureAnomaly(ts);

    const climate = 27 - 0.0065 * lat * lat - 0.0065 * alt;
    const seasonal = 0.15 * Math.abs(lat) * Math.cos((2 * Math.PI * (doy - 200)) / 365.25) * Math.sign(lat || 1);
    const synoptic = 4 * this.field(0x1004, ts, 4, 3 * DAY);
    const dailyMean = climate + seasonal + synoptic + this.offsetC;
    const diurnalAmplitude = (2.5 + 4 * (1 - cloud)) * (0.8 + 0.4 * hash01(this.station, 4));
    const noise = 0.15 * valueNoise(this.station ^ 5, ts, 10 * 60_000);
    const temperature = dailyMean + diurnalAmplitude * Math.cos((2 * Math.PI * (solarHours - 15)) / 24) + noise;

    const rainRate = this.rainRate(Math.floor(ts / RAIN_STEP) * RAIN_STEP);
    const depression = rainRate > 0 ? 0.4 : (2 + 7 * (0.5 + 0.5 * this.field(0x1005, ts, 4, DAY))) * (1 - 0.5 * cloud);
    const airMassDew = Math.min(dailyMean - depression, temperature - 0.1);
    const humidity = clamp(humidityFromDewPoint(temperature, airMassDew), 1, 100);

    const seaLevelStd = 101325 * (1 - 2.25577e-5 * alt) ** 5.25588;
    const tide = 80 * Math.cos((2 * Math.PI * (solarHours - 10)) / 12);
    const pressure = seaLevelStd + 1500 * pressureAnomaly + tide + this.pressureOffset;

    const windField = this.field(0x1006, ts, 2, 6 * HOUR);
    const daytime = 1 + 0.3 * Math.max(0, Math.cos((2 * Math.PI * (solarHours - 14)) / 24));
    const gustiness = valueNoise(this.station ^ 7, ts, 5 * 60_000);
    const windMean = Math.max(
      0,
      (3.5 + 2.5 * windField - 2 * pressureAnomaly) * daytime * this.exposure * (1 + 0.15 * gustiness),
    );
    const minuteUnit = hash01(this.station ^ 8, Math.floor(ts / 60_000));
    const windGust = windMean * (1.25 + 0.35 * minuteUnit) + 0.5 * hash01(this.station ^ 9, Math.floor(ts / 60_000));
    const direction =
      180 * (1 + this.field(0x1007, ts, 4, 12 * HOUR)) + 20 * valueNoise(this.station ^ 10, ts, 2 * 60_000);

    const elevation = sunPosition(ts, lat, lon).elevationDeg;
    const cloudFactor = 1 - 0.75 * cloud ** 3.4;
    const flicker = 1 + 0.15 * cloud * valueNoise(this.station ^ 11, ts, 3 * 60_000);
    const solar = clearSkyIrradiance(elevation) * cloudFactor * flicker;
    const uv = elevation > 0 ? 12.5 * Math.sin((elevation * Math.PI) / 180) ** 2.5 * (1 - 0.6 * cloud) : 0;

    return {
      temperature,
      humidity,
      dew_point: dewPointMagnus(temperature, humidity),
      pressure,
      wind_speed: windMean,
      wind_gust: Math.max(windGust, windMean),
      wind_direction: ((direction % 360) + 360) % 360,
      rain_rate: rainRate,
      rain_daily: this.rainDaily(ts),
      solar_irradiance: Math.max(0, solar),
      uv_index: uv,
    };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
