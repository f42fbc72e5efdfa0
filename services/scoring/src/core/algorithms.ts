import type { ScoringParams } from './params.js';
import { compareVersions } from './version.js';

/**
 * qod-1.0.0. Anchors (see SCORING.md): WeatherXM's open QoD (jump thresholds per minute and caps, constant-value
 * windows, 0.67 hourly availability, RH ≥ 95 % exemption), titanlib's buddy check (radius, minimum buddies,
 * −0.0065 K/m lapse rate, maximum elevation difference, minimum spread, iterations), EN 50160 (±10 % voltage),
 * the NOAA solar position and the Haurwitz clear-sky model.
 */
export const QOD_1_0_0: ScoringParams = Object.freeze({
  version: 'qod-1.0.0',
  lookbackMinutes: 360,
  minAvailability: 0.67,
  qualityThreshold: 0.5,
  reasonMinCost: 0.02,
  reasonMinFlagged: 10,
  required: {
    weather: ['temperature', 'humidity', 'pressure'],
    vehicle: ['speed', 'position'],
    energy: ['energy_import_t1', 'power_import'],
  },
  variables: {
    weather: {
      temperature: { jumpPerMinute: 3, jumpCap: 15, stuckMinutes: 240 },
      humidity: {
        jumpPerMinute: 20,
        jumpCap: 80,
        stuckMinutes: 360,
        stuckExemptAtOrAbove: 95,
        stuckExemptUnlessNeighboursWithin: 10,
      },
      // derived from temperature and humidity by most stations: it moves with a humidity step
      dew_point: { jumpPerMinute: 5, jumpCap: 15, stuckMinutes: 240 },
      pressure: { jumpPerMinute: 80, jumpCap: 1500, stuckMinutes: 120 },
      wind_speed: { jumpPerMinute: 10, jumpCap: 25, stuckMinutes: 360, stuckExemptAtOrBelow: 0 },
      wind_gust: { jumpPerMinute: 20, jumpCap: 40, stuckMinutes: 360, stuckExemptAtOrBelow: 0 },
      wind_direction: { stuckMinutes: 360, stuckOnlyWhile: { variable: 'wind_speed', above: 0.5 } },
      rain_rate: { stuckMinutes: 120, stuckExemptAtOrBelow: 0 },
      solar_irradiance: { stuckMinutes: 120, stuckExemptAtOrBelow: 0 },
      // UV index is reported in whole units: a flat afternoon is no fault (the frozen-sensor rule still applies)
    },
    vehicle: {
      // 0 to 125 km/h takes a car well under a minute: only the impossible is a jump
      speed: { jumpPerMinute: 50, jumpCap: 70, stuckMinutes: 30, stuckExemptAtOrBelow: 0 },
      rpm: { jumpPerMinute: 6000, stuckMinutes: 30, stuckExemptAtOrBelow: 0 },
      // a cold engine warms by ~15 °C a minute; at the thermostat the reading still wanders by a degree
      coolant_temperature: { jumpPerMinute: 20, jumpCap: 100, stuckMinutes: 90 },
      // refuelling is a legitimate jump; while driving the level falls a step (0.4 %) every few minutes
      fuel_level: { stuckMinutes: 60, stuckOnlyWhile: { variable: 'speed', above: 3 } },
    },
    energy: {
      power_import: { stuckMinutes: 120, stuckExemptAtOrBelow: 0 },
      power_export: { stuckMinutes: 120, stuckExemptAtOrBelow: 0 },
      voltage_l1: { jumpPerMinute: 40, stuckMinutes: 60, stuckExemptAtOrBelow: 0 },
      voltage_l2: { jumpPerMinute: 40, stuckMinutes: 60, stuckExemptAtOrBelow: 0 },
      voltage_l3: { jumpPerMinute: 40, stuckMinutes: 60, stuckExemptAtOrBelow: 0 },
    },
  },
  frozen: { minutes: 30, exemptWhenZero: { weather: [], vehicle: ['speed', 'rpm'], energy: [] } },
  clock: { aheadToleranceS: 60, behindToleranceS: 300, streamedFraction: 0.5 },
  weather: {
    dewPointToleranceC: 0.5,
    dewPointMagnusToleranceC: 2,
    gustToleranceMs: 0.5,
    solar: {
      nightElevationDeg: -3,
      nightMaxWm2: 15,
      clearSkyFactor: 1.5,
      clearSkyMarginWm2: 100,
      daylightElevationDeg: 25,
      darkRatio: 0.02,
      shadeIndexMax: 0.15,
      neighbourClearIndexMin: 0.5,
    },
    buddy: {
      radiusM: 30_000,
      minNeighbours: 5,
      maxNeighbours: 50,
      iterations: 2,
      maxElevationDiffM: 300,
      lapseRateKPerM: 0.0065,
      minCoverage: 0.5,
      variables: {
        temperature: { minSpread: 1, threshold: 4, altitude: 'lapse' },
        pressure: { minSpread: 100, threshold: 4, altitude: 'sea_level' },
        humidity: { minSpread: 8, threshold: 4, altitude: 'none' },
      },
    },
  },
  vehicle: {
    gnss: { minFix: 1, minSats: 4, maxHdop: 5, uereM: 5 },
    maxSpeedMs: 70,
    speedMismatch: { windowMinutes: 15, maxDtS: 300, relTolerance: 0.3, absToleranceM: 500 },
    rpmSpeed: { movingSpeedMs: 3, minMsPer1000Rpm: 0.5, maxMsPer1000Rpm: 40 },
    odometer: { decreaseToleranceM: 100, windowMinutes: 30, maxGapMinutes: 5, absToleranceM: 300, relTolerance: 0.2 },
  },
  drift: {
    minHours: 12,
    variables: {
      weather: {
        temperature: { minPerDay: 0.75, minT: 5 },
        pressure: { minPerDay: 150, minT: 5 },
      },
      vehicle: {},
      energy: { voltage_l1: { minPerDay: 1.5, minT: 3 } },
    },
    odometer: { minDistanceM: 20_000, maxRatioError: 0.03 },
  },
  energy: {
    neighbours: { radiusM: 30_000, minNeighbours: 5, maxNeighbours: 50, variables: ['voltage_l1'] },
    nominalVoltages: [120, 230],
    voltageTolerance: 0.1,
    registerDecreaseToleranceWh: 1,
    balance: { windowMinutes: 15, maxGapMinutes: 5, absToleranceWh: 40, relTolerance: 0.2 },
  },
  // services/ingest quarantine reasons and qflags bits (OUT_OF_RANGE | CLOCK_AHEAD)
  quarantine: {
    integrity: ['BAD_SIGNATURE', 'BAD_PROOF', 'MALFORMED_SIGNATURE'],
    replay: ['NON_INCREASING_SEQ'],
    clock_skew: ['TIMESTAMP_IN_FUTURE', 'TIMESTAMP_TOO_OLD'],
    clone: ['REPLAYED_SEQ'],
  },
  ingestFlagMask: 0b11,
  location: {
    maxDistanceM: 300,
    cooldownHours: 24,
    relocationMinHours: 2,
    unverifiedScore: { weather: 0.5, vehicle: 0, energy: 1 },
    cloneDistanceM: 1000,
    cloneMinEvidence: 5,
    vehicleAreaM: 150_000,
  },
} satisfies ScoringParams);

/** The algorithm versions this build can score with, oldest first. */
export const ALGORITHMS: ReadonlyMap<string, ScoringParams> = new Map([[QOD_1_0_0.version, QOD_1_0_0]]);

/** The newest algorithm version of a registry. */
export function latestVersion(algorithms: ReadonlyMap<string, ScoringParams> = ALGORITHMS): string {
  const versions = [...algorithms.keys()].sort(compareVersions);
  const latest = versions[versions.length - 1];
  if (latest === undefined) {
    throw new RangeError('no algorithm version registered');
  }
  return latest;
}

export const ALGORITHM_VERSION = QOD_1_0_0.version;
