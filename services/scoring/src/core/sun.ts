/**
 * Sun position from NOAA's "General Solar Position Calculations" (fractional-year series for the declination and
 * the equation of time; within about half a degree), and the Haurwitz clear-sky global horizontal irradiance.
 * Pure math; all times are ms UTC.
 */
const DEG = Math.PI / 180;

export interface SolarDay {
  /** solar declination, radians */
  readonly declination: number;
  /** equation of time, minutes */
  readonly eqTimeMin: number;
}

/** Declination and equation of time at an instant (they change by well under 0.01° per hour). */
export function solarDay(ms: number): SolarDay {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dayOfYear = Math.floor((ms - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  const hours = (ms - Date.UTC(year, date.getUTCMonth(), date.getUTCDate())) / 3_600_000;
  const g = ((2 * Math.PI) / (leap ? 366 : 365)) * (dayOfYear - 1 + (hours - 12) / 24);
  const eqTimeMin =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(g) -
      0.032077 * Math.sin(g) -
      0.014615 * Math.cos(2 * g) -
      0.040849 * Math.sin(2 * g));
  const declination =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  return { declination, eqTimeMin };
}

/** Sun elevation above the horizon in degrees (no refraction), given the day's declination and equation of time. */
export function sunElevationWith(day: SolarDay, ms: number, latDeg: number, lonDeg: number): number {
  const minutesOfDay = (((ms % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  const trueSolarMin = minutesOfDay + day.eqTimeMin + 4 * lonDeg;
  const hourAngle = (trueSolarMin / 4 - 180) * DEG;
  const lat = latDeg * DEG;
  const cosZenith =
    Math.sin(lat) * Math.sin(day.declination) + Math.cos(lat) * Math.cos(day.declination) * Math.cos(hourAngle);
  return Math.asin(Math.max(-1, Math.min(1, cosZenith))) / DEG;
}

/** Sun elevation above the horizon in degrees at an instant and place. */
export function sunElevation(ms: number, latDeg: number, lonDeg: number): number {
  return sunElevationWith(solarDay(ms), ms, latDeg, lonDeg);
}

/** Haurwitz (1945) clear-sky global horizontal irradiance, W/m², for a sun elevation in degrees. */
export function clearSkyGhi(elevationDeg: number): number {
  if (elevationDeg <= 0) {
    return 0;
  }
  const cosZ = Math.sin(elevationDeg * DEG);
  return 1098 * cosZ * Math.exp(-0.057 / cosZ);
}
