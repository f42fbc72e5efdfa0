import type { HardwareKind } from '@groundtruth/protocol';

/** Per-variable rules for the generic checks (jump, stuck). Absent fields switch that check off for the variable. */
export interface VariableRule {
  /** Largest plausible change per minute between consecutive samples (WeatherXM `raw_control_thresholds`). */
  readonly jumpPerMinute?: number;
  /** Largest plausible change over any gap, however long (WeatherXM `upper_thresholds`). */
  readonly jumpCap?: number;
  /** Minutes a value may stay exactly unchanged (WeatherXM `time_window_constant`). */
  readonly stuckMinutes?: number;
  /** Constant values at or below this are normal (calm wind 0, darkness 0). */
  readonly stuckExemptAtOrBelow?: number;
  /** Constant values at or above this are normal (saturated humidity, fog). */
  readonly stuckExemptAtOrAbove?: number;
  /**
   * A constant value at the exempt level counts as stuck after all when the neighbours' median of the hour lies
   * further than this from the exempt level (the neighbourhood is not saturated, not calm).
   */
  readonly stuckExemptUnlessNeighboursWithin?: number;
  /** A constant value only counts while this companion variable is above a level (a vane does not turn in calm). */
  readonly stuckOnlyWhile?: { readonly variable: string; readonly above: number };
}

export interface BuddyVariable {
  /** Floor of the robust spread (1.4826·MAD), in the variable's unit: titanlib's `min_std`. */
  readonly minSpread: number;
  /** Robust z-score above which the hour is an outlier. */
  readonly threshold: number;
  /** `lapse`: temperature corrected with the lapse rate; `sea_level`: pressure reduced to sea level. */
  readonly altitude: 'none' | 'lapse' | 'sea_level';
}

export interface DriftVariable {
  /** smallest trend (the variable's unit per day) that counts as drift */
  readonly minPerDay: number;
  /** and the trend must be this many standard errors away from 0 */
  readonly minT: number;
}

export interface ScoringParams {
  readonly version: string;
  /** A reading's checks look back at most this far before the start of its hour (and never past its hour's end). */
  readonly lookbackMinutes: number;
  /** Epoch availability under which LOW_AVAILABILITY is given (WeatherXM hourly availability 0.67). */
  readonly minAvailability: number;
  /** Epoch quality under which QUALITY_BELOW_THRESHOLD is given. */
  readonly qualityThreshold: number;
  /** A check is named in the reasons when it costs at least this much quality ... */
  readonly reasonMinCost: number;
  /** ... or flagged at least this many readings (or messages, for quarantine evidence). */
  readonly reasonMinFlagged: number;
  /** Variables always scored, reported or not (their absence costs); others count when reported in the epoch. */
  readonly required: Readonly<Record<HardwareKind, readonly string[]>>;
  readonly variables: Readonly<Record<HardwareKind, Readonly<Record<string, VariableRule>>>>;
  /** All values of a reading unchanged for this long: the sensor froze (unless one of `exemptWhenZero` is 0). */
  readonly frozen: {
    readonly minutes: number;
    readonly exemptWhenZero: Readonly<Record<HardwareKind, readonly string[]>>;
  };
  readonly clock: {
    /** ts later than receive time by more than this: the device clock runs ahead. */
    readonly aheadToleranceS: number;
    /** Smallest lag of an hour above this while readings were streamed live: the clock runs behind. */
    readonly behindToleranceS: number;
    /** An hour counts as streamed when its readings arrived over at least this fraction of their own time span. */
    readonly streamedFraction: number;
  };
  readonly weather: {
    readonly dewPointToleranceC: number;
    /** Reported dew point vs Magnus dew point from temperature and humidity. */
    readonly dewPointMagnusToleranceC: number;
    readonly gustToleranceMs: number;
    readonly solar: {
      readonly nightElevationDeg: number;
      readonly nightMaxWm2: number;
      readonly clearSkyFactor: number;
      readonly clearSkyMarginWm2: number;
      readonly daylightElevationDeg: number;
      /** Hour maximum below this fraction of clear sky at daylight elevation: dark (indoor) even under clouds. */
      readonly darkRatio: number;
      /** Clear-sky index below this while neighbours see at least `neighbourClearIndexMin`: shaded. */
      readonly shadeIndexMax: number;
      readonly neighbourClearIndexMin: number;
    };
    readonly buddy: {
      readonly radiusM: number;
      readonly minNeighbours: number;
      /** only the nearest this many stations within the radius are buddies (titanlib's `num_max`) */
      readonly maxNeighbours: number;
      readonly iterations: number;
      readonly maxElevationDiffM: number;
      readonly lapseRateKPerM: number;
      /** Fraction of the expected readings an hour needs for its mean to enter the buddy check. */
      readonly minCoverage: number;
      readonly variables: Readonly<Record<string, BuddyVariable>>;
    };
  };
  readonly vehicle: {
    readonly gnss: {
      readonly minFix: number;
      readonly minSats: number;
      readonly maxHdop: number;
      readonly uereM: number;
    };
    readonly maxSpeedMs: number;
    readonly speedMismatch: {
      /** distances compared over this much time */
      readonly windowMinutes: number;
      /** consecutive fixes further apart break the window */
      readonly maxDtS: number;
      readonly relTolerance: number;
      readonly absToleranceM: number;
    };
    readonly rpmSpeed: {
      readonly movingSpeedMs: number;
      readonly minMsPer1000Rpm: number;
      readonly maxMsPer1000Rpm: number;
    };
    readonly odometer: {
      readonly decreaseToleranceM: number;
      readonly windowMinutes: number;
      readonly maxGapMinutes: number;
      readonly absToleranceM: number;
      readonly relTolerance: number;
    };
  };
  /**
   * Drift: an epoch-level check. Per variable, the device's hourly means are regressed on time and on its
   * neighbours' median (x = a + b·t + c·median): b is the trend of the device against its surroundings, whatever
   * the weather or the grid does. Vehicles (no neighbours): the epoch's integrated OBD speed against the distance
   * the odometer counted.
   */
  readonly drift: {
    /** hours with a value and a neighbour median the regression needs */
    readonly minHours: number;
    readonly variables: Readonly<Record<HardwareKind, Readonly<Record<string, DriftVariable>>>>;
    readonly odometer: {
      /** odometer distance the epoch needs before the ratio is judged */
      readonly minDistanceM: number;
      /** |∫speed / odometer − 1| above this is drift */
      readonly maxRatioError: number;
    };
  };
  readonly energy: {
    /** meters within this radius share the grid voltage: their median feeds the drift check */
    readonly neighbours: {
      readonly radiusM: number;
      readonly minNeighbours: number;
      readonly maxNeighbours: number;
      readonly variables: readonly string[];
    };
    readonly nominalVoltages: readonly number[];
    readonly voltageTolerance: number;
    readonly registerDecreaseToleranceWh: number;
    readonly balance: {
      readonly windowMinutes: number;
      readonly maxGapMinutes: number;
      readonly absToleranceWh: number;
      readonly relTolerance: number;
    };
  };
  /** Quarantine reason codes (set by the ingest) that count as evidence for the hour-level checks. */
  readonly quarantine: {
    readonly integrity: readonly string[];
    readonly replay: readonly string[];
    readonly clock_skew: readonly string[];
    /** one seq signed twice with different content: a second holder of the key */
    readonly clone: readonly string[];
  };
  /** Ingest `qflags` bits recorded by the `ingest` check (backlog and reordering bits are no fault). */
  readonly ingestFlagMask: number;
  readonly location: {
    /** Observed (GNSS) position farther than this from the declared one: mismatch. */
    readonly maxDistanceM: number;
    /** After a relocation, hours count as unverified for this long. */
    readonly cooldownHours: number;
    /** Hours at the new place before a move counts as a relocation (not a glitch). */
    readonly relocationMinHours: number;
    /** Location score when no position was observed, per kind. */
    readonly unverifiedScore: Readonly<Record<HardwareKind, number>>;
    /** Two fixes this far apart within one interval, alternating: the key is at two places at once. */
    readonly cloneDistanceM: number;
    /** Readings (or quarantined messages) of clone evidence in an epoch before CLONED_KEY_SUSPECTED. */
    readonly cloneMinEvidence: number;
    /** A vehicle's fixes farther than this from its declared home base are outside its operating area. */
    readonly vehicleAreaM: number;
  };
}
