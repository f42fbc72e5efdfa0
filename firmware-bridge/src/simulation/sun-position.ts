/**
 * The sun's position for a place and instant, after NOAA's solar calculator (Meeus' algorithms as in the
 * NOAA "General Solar Position Calculations" spreadsheet): accurate to about 0.01° in elevation for
 * 1800-2100, which is far better than the irradiance models need. Pure.
 */

const rad = (deg: number): number => (deg * Math.PI) / 180;
const deg = (r: number): number => (r * 180) / Math.PI;

export interface SunPosition {
  /** apparent elevation above the horizon, degrees (with atmospheric refraction) */
  readonly elevationDeg: number;
  /** clockwise from north, degrees */
  readonly azimuthDeg: number;
  readonly declinationDeg: number;
  /** equation of time, minutes */
  readonly equationOfTimeMin: number;
}

export function sunPosition(tsMs: number, latDeg: number, lonDeg: number): SunPosition {
  const julianDay = tsMs / 86_400_000 + 2440587.5;
  const t = (julianDay - 2451545) / 36525; // Julian century
  const meanLong = (((280.46646 + t * (36000.76983 + t * 0.0003032)) % 360) + 360) % 360;
  const meanAnom = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const ecc = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const center =
    Math.sin(rad(meanAnom)) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(rad(2 * meanAnom)) * (0.019993 - 0.000101 * t) +
    Math.sin(rad(3 * meanAnom)) * 0.000289;
  const trueLong = meanLong + center;
  const omega = 125.04 - 1934.136 * t;
  const appLong = trueLong - 0.00569 - 0.00478 * Math.sin(rad(omega));
  const meanObliq = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const obliq = meanObliq + 0.00256 * Math.cos(rad(omega));
  const declination = deg(Math.asin(Math.sin(rad(obliq)) * Math.sin(rad(appLong))));
  const y = Math.tan(rad(obliq / 2)) ** 2;
  const eqTime =
    4 *
    deg(
      y * Math.sin(2 * rad(meanLong)) -
        2 * ecc * Math.sin(rad(meanAnom)) +
        4 * ecc * y * Math.sin(rad(meanAnom)) * Math.cos(2 * rad(meanLong)) -
        0.5 * y * y * Math.sin(4 * rad(meanLong)) -
        1.25 * ecc * ecc * Math.sin(2 * rad(meanAnom)),
    );
  const minutesUtc = (((tsMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  const trueSolarTime = (((minutesUtc + eqTime + 4 * lonDeg) % 1440) + 1440) % 1440;
  const hourAngle = trueSolarTime / 4 < 0 ? trueSolarTime / 4 + 180 : trueSolarTime / 4 - 180;
  const cosZenith =
    Math.sin(rad(latDeg)) * Math.sin(rad(declination)) +
    Math.cos(rad(latDeg)) * Math.cos(rad(declination)) * Math.cos(rad(hourAngle));
  const zenith = deg(Math.acos(Math.min(1, Math.max(-1, cosZenith))));
  const elevation = 90 - zenith;
  const sinZ = Math.sin(rad(zenith));
  let azimuth: number;
  if (sinZ < 1e-9) {
    azimuth = latDeg > declination ? 180 : 0;
  } else {
    const cosAz =
      (Math.sin(rad(latDeg)) * Math.cos(rad(zenith)) - Math.sin(rad(declination))) / (Math.cos(rad(latDeg)) * sinZ);
    const a = deg(Math.acos(Math.min(1, Math.max(-1, cosAz))));
    azimuth = hourAngle > 0 ? (a + 180) % 360 : (540 - a) % 360;
  }
  return {
    elevationDeg: elevation + refraction(elevation),
    azimuthDeg: azimuth,
    declinationDeg: declination,
    equationOfTimeMin: eqTime,
  };
}

/** NOAA's approximation of atmospheric refraction (degrees) at a true elevation. */
function refraction(elevation: number): number {
  if (elevation > 85) {
    return 0;
  }
  const te = Math.tan(rad(elevation));
  let arcsec: number;
  if (elevation > 5) {
    arcsec = 58.1 / te - 0.07 / te ** 3 + 0.000086 / te ** 5;
  } else if (elevation > -0.575) {
    arcsec = 1735 + elevation * (-518.2 + elevation * (103.4 + elevation * (-12.79 + elevation * 0.711)));
  } else {
    arcsec = -20.772 / te;
  }
  return arcsec / 3600;
}

/**
 * Clear-sky global horizontal irradiance (W/m²), Haurwitz model: 1098 · cos z · exp(-0.057 / cos z).
 * Zero when the sun is below the horizon.
 */
export function clearSkyIrradiance(elevationDeg: number): number {
  const cosZ = Math.sin(rad(elevationDeg));
  return cosZ <= 0 ? 0 : 1098 * cosZ * Math.exp(-0.057 / cosZ);
}

/** Local mean solar time in hours [0, 24) at a longitude: what "morning" and "midnight" mean to a model. */
export function localSolarHours(tsMs: number, lonDeg: number): number {
  const hours = (tsMs / 3_600_000 + lonDeg / 15) % 24;
  return hours < 0 ? hours + 24 : hours;
}
