/**
 * Unit conversions to the protocol's SI catalogue, and the psychrometric and barometric formulas the
 * adapters and the simulators share. Pure functions.
 */

export const fahrenheitToCelsius = (f: number): number => ((f - 32) * 5) / 9;
export const celsiusToFahrenheit = (c: number): number => (c * 9) / 5 + 32;
/** 1 inHg = 3386.389 Pa (conventional, at 0 °C) */
export const INHG_PA = 3386.389;
export const inHgToPa = (inHg: number): number => inHg * INHG_PA;
/** 1 mph = 0.44704 m/s exactly */
export const mphToMs = (mph: number): number => mph * 0.44704;
export const msToMph = (ms: number): number => ms / 0.44704;
export const inchToMm = (inch: number): number => inch * 25.4;
export const kmhToMs = (kmh: number): number => kmh / 3.6;
export const msToKmh = (ms: number): number => ms * 3.6;
export const KNOT_MS = 1852 / 3600;

/** Rounds to a number of decimals, removing binary noise (20.222222222 → 20.22) so canonical JSON stays short. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Magnus coefficients over water (Sonntag 1990), valid -45..60 °C. */
const MAGNUS_A = 17.62;
const MAGNUS_B = 243.12;

/** Dew point (°C) from air temperature (°C) and relative humidity (%, > 0) by the Magnus formula. */
export function dewPointMagnus(temperatureC: number, humidityPct: number): number {
  const gamma = Math.log(humidityPct / 100) + (MAGNUS_A * temperatureC) / (MAGNUS_B + temperatureC);
  return (MAGNUS_B * gamma) / (MAGNUS_A - gamma);
}

/** Relative humidity (%) of air at `temperatureC` whose dew point is `dewPointC` (Magnus; ≤ 100 when Td ≤ T). */
export function humidityFromDewPoint(temperatureC: number, dewPointC: number): number {
  return (
    100 *
    Math.exp((MAGNUS_A * dewPointC) / (MAGNUS_B + dewPointC) - (MAGNUS_A * temperatureC) / (MAGNUS_B + temperatureC))
  );
}

/**
 * Barometric reduction with the ICAO standard atmosphere: station pressure ↔ sea-level pressure at an
 * altitude. This is what station consoles do to display "relative" pressure.
 */
const reductionFactor = (altitudeM: number): number => (1 - 2.25577e-5 * altitudeM) ** 5.25588;
export const seaLevelToStationPressure = (seaLevelPa: number, altitudeM: number): number =>
  seaLevelPa * reductionFactor(altitudeM);
export const stationToSeaLevelPressure = (stationPa: number, altitudeM: number): number =>
  stationPa / reductionFactor(altitudeM);
