import type { HardwareKind } from '@groundtruth/protocol';

/**
 * One device-hour: what was expected, what arrived, what was valid per variable, and what each check cost.
 * Stored as a `device_hour` row; epoch scores are computed from these rows only.
 *
 * Loss accounting: per variable the hour has D = max(expected, present) slots. A value invalidated by checks is
 * charged, as 1/D of a variable-hour, to the first of those checks (check order); missing values are charged to
 * availability. So per variable, valid/D + Σ check losses + missing/D = 1.
 */
export interface HourRollup {
  readonly device: string;
  readonly kind: HardwareKind;
  /** start of the hour, ms UTC */
  readonly hour: number;
  /** readings in the hour */
  n: number;
  /** readings expected at the declared interval */
  expected: number;
  /** readings with at least one per-reading flag */
  flagged: number;
  /** sequence numbers skipped */
  seqGaps: number;
  /** per variable (see variablesOf(kind)): readings carrying it, how many passed every check, mean of those */
  present: number[];
  valid: number[];
  mean: number[];
  /** per check: readings it flagged, and variable-hours it cost (see above) */
  fail: number[];
  loss: number[];
  /** good GNSS fixes, their median position, fixes far from the declared location */
  obsN: number;
  obsLat: number;
  obsLon: number;
  locMismatch: number;
  /** smallest receive lag, seconds */
  clockLagMinS: number;
  /** mean irradiance / mean clear-sky irradiance over the hour's daylight readings */
  solarIndex: number;
  /** bits of hour-level checks (neighbour, quarantine) */
  hourFlags: number;
  /** what the hour-level checks saw, for explanations */
  detail: Record<string, unknown> | null;
  /**
   * Inputs of the epoch-level drift check: `x.<var>` the hour's mean before the neighbour checks and `nb.<var>`
   * its neighbours' median (stations with declared positions), `odo_m` / `spd_m` the distance the odometer
   * counted and the integrated OBD speed over the same intervals (vehicles).
   */
  trend: Record<string, number>;
}

/** D: the slots a variable has in an hour. */
export function slots(rollup: Pick<HourRollup, 'expected'>, present: number): number {
  return Math.max(rollup.expected, present);
}

/** Charges check c with invalidating every still-valid value of variable v (hour-level checks). */
export function invalidateVariable(rollup: HourRollup, v: number, c: number): number {
  const valid = rollup.valid[v]!;
  if (valid === 0) {
    return 0;
  }
  rollup.loss[c]! += valid / slots(rollup, rollup.present[v]!);
  rollup.fail[c]! += valid;
  rollup.valid[v] = 0;
  rollup.mean[v] = Number.NaN;
  rollup.hourFlags |= 1 << c;
  return valid;
}

/** Readings that arrived over those expected, capped at 1. */
export function hourAvailability(rollup: Pick<HourRollup, 'n' | 'expected'>): number {
  return rollup.expected > 0 ? Math.min(1, rollup.n / rollup.expected) : 0;
}

/**
 * The hour's own quality: mean over the variables scored in it (the required ones and any present) of
 * valid/slots. Informative (dashboards); epoch scores fix their variable set over the whole epoch.
 */
export function hourQuality(rollup: HourRollup, required: ReadonlySet<number>): number {
  let sum = 0;
  let count = 0;
  for (let v = 0; v < rollup.present.length; v++) {
    if (required.has(v) || rollup.present[v]! > 0) {
      sum += rollup.valid[v]! / slots(rollup, rollup.present[v]!);
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}
