/**
 * Parses the two push protocols weather station gateways speak to a "customized server":
 *
 * - Ecowitt protocol: `POST <path>` with an `application/x-www-form-urlencoded` body (GW1000/GW1100/GW2000,
 *   HP2551 consoles, WS2910...): `PASSKEY` (MD5 of the gateway MAC), `stationtype`, `dateutc=YYYY-MM-DD
 *   HH:MM:SS`, `tempf`, `humidity`, `baromabsin`, `baromrelin`, `windspeedmph`, `windgustmph`, `winddir`,
 *   `rainratein`, `dailyrainin`, `solarradiation`, `uv`, ... always in imperial units.
 * - Weather Underground protocol: `GET /weatherstation/updateweatherstation.php?ID=&PASSWORD=&dateutc=now|
 *   YYYY-MM-DD HH:MM:SS&tempf=&humidity=&dewptf=&baromin=&windspeedmph=&windgustmph=&winddir=&rainin=&
 *   dailyrainin=&solarradiation=&UV=`. `-9999` marks a missing sensor. `baromin` is the sea-level (relative)
 *   pressure; `rainin` is the rain of the last hour, which we report as the rain rate in mm/h.
 *
 * Output is a SensorSample in the weather catalogue's SI units. Pure: no I/O.
 */
import type { SensorSample } from './adapter.js';
import { accept, parseDecimal, refuse, type FrameResult } from './frame-result.js';
import {
  dewPointMagnus,
  fahrenheitToCelsius,
  inchToMm,
  inHgToPa,
  mphToMs,
  roundTo,
  seaLevelToStationPressure,
} from './units.js';

export type WeatherPushProtocol = 'ecowitt' | 'wunderground';

export interface WeatherPush {
  readonly protocol: WeatherPushProtocol;
  /** Ecowitt PASSKEY or WU station ID: what routes a push to its device */
  readonly stationKey: string;
  /** WU PASSWORD (undefined for Ecowitt) */
  readonly password?: string;
  /** `stationtype` / `softwaretype` as sent */
  readonly stationType?: string;
  readonly sample: SensorSample;
}

export interface WeatherParseOptions {
  /** the bridge clock, for `dateutc=now` or a missing date */
  readonly now: number;
  /** station altitude (m) to turn a sea-level pressure into station pressure; 0 when unknown */
  readonly altitudeM?: number;
}

/** How a protocol field becomes a catalogue metric. */
interface FieldRule {
  readonly metric: string;
  readonly convert: (value: number) => number;
  readonly decimals: number;
  /** range the encoding itself allows; outside it the value is impossible, not merely unusual */
  readonly min?: number;
  readonly max?: number;
}

const RULES: Readonly<Record<string, FieldRule>> = {
  tempf: { metric: 'temperature', convert: fahrenheitToCelsius, decimals: 2 },
  humidity: { metric: 'humidity', convert: (v) => v, decimals: 1, min: 0, max: 100 },
  dewptf: { metric: 'dew_point', convert: fahrenheitToCelsius, decimals: 2 },
  baromabsin: { metric: 'pressure', convert: inHgToPa, decimals: 0, min: 0 },
  windspeedmph: { metric: 'wind_speed', convert: mphToMs, decimals: 2, min: 0 },
  windgustmph: { metric: 'wind_gust', convert: mphToMs, decimals: 2, min: 0 },
  winddir: { metric: 'wind_direction', convert: (v) => v, decimals: 1, min: 0, max: 360 },
  rainratein: { metric: 'rain_rate', convert: inchToMm, decimals: 2, min: 0 },
  rrain_piezo: { metric: 'rain_rate', convert: inchToMm, decimals: 2, min: 0 },
  rainin: { metric: 'rain_rate', convert: inchToMm, decimals: 2, min: 0 },
  dailyrainin: { metric: 'rain_daily', convert: inchToMm, decimals: 2, min: 0 },
  drain_piezo: { metric: 'rain_daily', convert: inchToMm, decimals: 2, min: 0 },
  solarradiation: { metric: 'solar_irradiance', convert: (v) => v, decimals: 2, min: 0 },
  uv: { metric: 'uv_index', convert: (v) => v, decimals: 1, min: 0 },
  UV: { metric: 'uv_index', convert: (v) => v, decimals: 1, min: 0 },
};

/** Ecowitt fields in priority order (a WS90 sends piezo rain; a tipping bucket sends rainratein). */
const ECOWITT_FIELDS = [
  'tempf',
  'humidity',
  'baromabsin',
  'windspeedmph',
  'windgustmph',
  'winddir',
  'rainratein',
  'rrain_piezo',
  'dailyrainin',
  'drain_piezo',
  'solarradiation',
  'uv',
];
const WU_FIELDS = [
  'tempf',
  'humidity',
  'dewptf',
  'windspeedmph',
  'windgustmph',
  'winddir',
  'rainin',
  'dailyrainin',
  'solarradiation',
  'UV',
];

/** `-9999` (WU) or an empty value means "no such sensor"; it is not an error. */
const isMissing = (raw: string): boolean => raw === '' || raw === '-9999' || raw === '-9999.0';

const DATE_UTC = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** `YYYY-MM-DD HH:MM:SS` (UTC) → ms, or undefined when malformed or not a real calendar date. */
export function parseDateUtc(text: string): number | undefined {
  const m = DATE_UTC.exec(text);
  if (!m) {
    return undefined;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ts = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ts);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return ts;
}

function readTimestamp(params: URLSearchParams, now: number, allowNow: boolean): FrameResult<number> {
  const raw = params.get('dateutc');
  if (raw === null || (allowNow && raw.toLowerCase() === 'now')) {
    return accept(now);
  }
  const ts = parseDateUtc(raw);
  return ts === undefined ? refuse('garbage', `dateutc "${raw}" is not YYYY-MM-DD HH:MM:SS`) : accept(ts);
}

function readMetrics(params: URLSearchParams, fields: readonly string[]): FrameResult<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const field of fields) {
    const raw = params.get(field);
    const rule = RULES[field];
    if (raw === null || !rule || isMissing(raw.trim()) || rule.metric in metrics) {
      continue;
    }
    const value = parseDecimal(raw.trim());
    if (value === undefined) {
      return refuse('garbage', `${field}="${raw}" is not a number`);
    }
    if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
      return refuse('impossible_value', `${field}=${raw} outside [${rule.min ?? '-inf'}, ${rule.max ?? 'inf'}]`);
    }
    metrics[rule.metric] = roundTo(rule.convert(value), rule.decimals);
  }
  return accept(metrics);
}

/** Adds the pressure (station pressure wanted) and a dew point computed the way station consoles do. */
function completeMetrics(
  metrics: Record<string, number>,
  params: URLSearchParams,
  relativeField: string,
  altitudeM: number,
): FrameResult<Record<string, number>> {
  if (metrics.pressure === undefined) {
    const raw = params.get(relativeField);
    if (raw !== null && !isMissing(raw.trim())) {
      const inHg = parseDecimal(raw.trim());
      if (inHg === undefined) {
        return refuse('garbage', `${relativeField}="${raw}" is not a number`);
      }
      if (inHg <= 0) {
        return refuse('impossible_value', `${relativeField}=${raw} must be positive`);
      }
      metrics.pressure = roundTo(seaLevelToStationPressure(inHgToPa(inHg), altitudeM), 0);
    }
  }
  const { temperature, humidity } = metrics;
  if (metrics.dew_point === undefined && temperature !== undefined && humidity !== undefined && humidity > 0) {
    metrics.dew_point = roundTo(dewPointMagnus(temperature, humidity), 2);
  }
  return Object.keys(metrics).length === 0 ? refuse('no_data', 'no outdoor measurement in the push') : accept(metrics);
}

/** Parses an Ecowitt-protocol form body (already split into params). */
export function parseEcowittForm(params: URLSearchParams, options: WeatherParseOptions): FrameResult<WeatherPush> {
  const passkey = params.get('PASSKEY');
  if (!passkey) {
    return refuse('bad_request', 'PASSKEY missing');
  }
  const ts = readTimestamp(params, options.now, false);
  if (!ts.ok) {
    return ts;
  }
  const read = readMetrics(params, ECOWITT_FIELDS);
  const metrics = read.ok ? completeMetrics(read.value, params, 'baromrelin', options.altitudeM ?? 0) : read;
  if (!metrics.ok) {
    return metrics;
  }
  const stationType = params.get('stationtype') ?? undefined;
  return accept({
    protocol: 'ecowitt',
    stationKey: passkey,
    stationType,
    sample: { ts: ts.value, metrics: metrics.value },
  });
}

/** Parses a Weather Underground upload query string. */
export function parseWundergroundQuery(
  params: URLSearchParams,
  options: WeatherParseOptions,
): FrameResult<WeatherPush> {
  const id = params.get('ID');
  if (!id) {
    return refuse('bad_request', 'ID missing');
  }
  if (params.get('dateutc') === null) {
    return refuse('bad_request', 'dateutc missing');
  }
  const ts = readTimestamp(params, options.now, true);
  if (!ts.ok) {
    return ts;
  }
  const read = readMetrics(params, WU_FIELDS);
  const metrics = read.ok ? completeMetrics(read.value, params, 'baromin', options.altitudeM ?? 0) : read;
  if (!metrics.ok) {
    return metrics;
  }
  return accept({
    protocol: 'wunderground',
    stationKey: id,
    password: params.get('PASSWORD') ?? undefined,
    stationType: params.get('softwaretype') ?? undefined,
    sample: { ts: ts.value, metrics: metrics.value },
  });
}
