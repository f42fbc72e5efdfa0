/**
 * What an Ecowitt gateway puts on the wire, from weather-catalogue values (SI): the Ecowitt-protocol form
 * body and the Weather Underground query string, with the units and the decimals the firmware uses
 * (tempf 0.1, humidity integer, pressure inHg 0.001, wind mph 0.1, rain in 0.001, uv integer). Pure.
 */
import { celsiusToFahrenheit, INHG_PA, msToMph, stationToSeaLevelPressure } from '../adapters/units.js';

const fixed = (value: number | undefined, decimals: number): string | undefined =>
  value === undefined || !Number.isFinite(value) ? undefined : value.toFixed(decimals);

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatDateUtc(ts: number): string {
  return new Date(ts).toISOString().slice(0, 19).replace('T', ' ');
}

export interface EcowittIdentity {
  /** MD5 of the gateway MAC, 32 upper-case hex digits */
  readonly passkey: string;
  readonly stationType?: string;
  readonly model?: string;
  readonly altitudeM?: number;
}

function append(params: URLSearchParams, entries: [string, string | undefined][]): void {
  for (const [key, value] of entries) {
    if (value !== undefined) {
      params.append(key, value);
    }
  }
}

/** The `application/x-www-form-urlencoded` body an Ecowitt gateway POSTs. */
export function ecowittForm(m: Readonly<Record<string, number>>, ts: number, id: EcowittIdentity): string {
  const params = new URLSearchParams();
  params.append('PASSKEY', id.passkey);
  params.append('stationtype', id.stationType ?? 'GW2000A_V3.1.4');
  params.append('runtime', String(Math.floor((ts / 1000) % 864_000)));
  params.append('dateutc', formatDateUtc(ts));
  const inHg = (pa: number | undefined) => (pa === undefined ? undefined : pa / INHG_PA);
  append(params, [
    ['tempinf', '71.2'],
    ['humidityin', '45'],
    [
      'baromrelin',
      fixed(inHg(m.pressure === undefined ? undefined : stationToSeaLevelPressure(m.pressure, id.altitudeM ?? 0)), 3),
    ],
    ['baromabsin', fixed(inHg(m.pressure), 3)],
    ['tempf', fixed(m.temperature === undefined ? undefined : celsiusToFahrenheit(m.temperature), 1)],
    ['humidity', fixed(m.humidity, 0)],
    ['winddir', fixed(m.wind_direction, 0)],
    ['windspeedmph', fixed(m.wind_speed === undefined ? undefined : msToMph(m.wind_speed), 1)],
    ['windgustmph', fixed(m.wind_gust === undefined ? undefined : msToMph(m.wind_gust), 1)],
    ['maxdailygust', fixed(m.wind_gust === undefined ? undefined : msToMph(m.wind_gust), 1)],
    ['solarradiation', fixed(m.solar_irradiance, 2)],
    ['uv', fixed(m.uv_index, 0)],
    ['rainratein', fixed(m.rain_rate === undefined ? undefined : m.rain_rate / 25.4, 3)],
    ['eventrainin', '0.000'],
    ['dailyrainin', fixed(m.rain_daily === undefined ? undefined : m.rain_daily / 25.4, 3)],
    ['wh65batt', '0'],
    ['freq', '868M'],
    ['model', id.model ?? 'GW2000A'],
    ['interval', '60'],
  ]);
  return params.toString();
}

export interface WundergroundIdentity {
  readonly stationId: string;
  readonly password: string;
  readonly altitudeM?: number;
}

/** The query string of `GET /weatherstation/updateweatherstation.php?...` (WU upload protocol). */
export function wundergroundQuery(m: Readonly<Record<string, number>>, ts: number, id: WundergroundIdentity): string {
  const params = new URLSearchParams();
  params.append('ID', id.stationId);
  params.append('PASSWORD', id.password);
  params.append('action', 'updateraw');
  params.append('dateutc', formatDateUtc(ts));
  const f = (c: number | undefined) => (c === undefined ? undefined : celsiusToFahrenheit(c));
  const seaLevel =
    m.pressure === undefined ? undefined : stationToSeaLevelPressure(m.pressure, id.altitudeM ?? 0) / INHG_PA;
  append(params, [
    ['tempf', fixed(f(m.temperature), 1)],
    ['humidity', fixed(m.humidity, 0)],
    ['dewptf', fixed(f(m.dew_point), 1)],
    ['baromin', fixed(seaLevel, 3)],
    ['windspeedmph', fixed(m.wind_speed === undefined ? undefined : msToMph(m.wind_speed), 1)],
    ['windgustmph', fixed(m.wind_gust === undefined ? undefined : msToMph(m.wind_gust), 1)],
    ['winddir', fixed(m.wind_direction, 0)],
    ['rainin', fixed(m.rain_rate === undefined ? undefined : m.rain_rate / 25.4, 3)],
    ['dailyrainin', fixed(m.rain_daily === undefined ? undefined : m.rain_daily / 25.4, 3)],
    ['solarradiation', fixed(m.solar_irradiance, 2)],
    ['UV', fixed(m.uv_index, 0)],
    ['softwaretype', 'EasyWeatherPro_V5.1.6'],
  ]);
  return params.toString();
}
