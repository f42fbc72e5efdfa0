/**
 * The quality checks, in a fixed order: a check's index is its bit in the per-reading `flags` bitmask stored in
 * `reading_flags.flags` and the position of its counters in `device_hour.check_fail` / `check_loss`. Never
 * reorder or reuse an entry; add new checks at the end (and bump the algorithm version).
 *
 * `scope` says what a failed check invalidates:
 * - `variable`: the implicated variables of that reading (the rest of the reading still counts);
 * - `reading`: every variable of that reading;
 * - `location`: nothing in the quality score, only the location score;
 * - `info`: nothing; recorded for explanations and detection (e.g. quarantine evidence).
 * When several checks invalidate the same value, the loss is attributed to the one that comes first here.
 */
export const CHECKS = [
  {
    id: 'range',
    scope: 'variable',
    reason: 'OUT_OF_RANGE',
    about: 'value outside the physical range of the metric catalogue',
  },
  {
    id: 'clock_skew',
    scope: 'reading',
    reason: 'CLOCK_SKEW',
    about: 'device timestamp inconsistent with receive time',
  },
  { id: 'seq', scope: 'reading', reason: 'SEQ_ANOMALY', about: 'sequence number not increasing with time' },
  { id: 'jump', scope: 'variable', reason: 'JUMPS', about: 'change faster than the variable can change' },
  { id: 'stuck', scope: 'variable', reason: 'STUCK_VALUES', about: 'value unchanged for longer than plausible' },
  {
    id: 'dew_point',
    scope: 'variable',
    reason: 'DEW_POINT',
    about: 'dew point above temperature or inconsistent with humidity',
  },
  { id: 'gust', scope: 'variable', reason: 'GUST_BELOW_MEAN', about: 'gust below mean wind speed' },
  {
    id: 'solar',
    scope: 'variable',
    reason: 'SOLAR_VS_SUN',
    about: 'irradiance impossible for the sun elevation (light at night)',
  },
  { id: 'gnss', scope: 'variable', reason: 'POOR_GNSS', about: 'no fix, too few satellites or too large hdop' },
  { id: 'teleport', scope: 'variable', reason: 'TELEPORT', about: 'position moved faster than a vehicle can' },
  {
    id: 'speed_mismatch',
    scope: 'variable',
    reason: 'SPEED_MISMATCH',
    about: 'speed implied by positions differs from reported speed',
  },
  { id: 'rpm_speed', scope: 'variable', reason: 'RPM_SPEED', about: 'engine speed inconsistent with vehicle speed' },
  {
    id: 'odometer',
    scope: 'variable',
    reason: 'ODOMETER',
    about: 'odometer decreasing or not matching integrated speed',
  },
  { id: 'registers', scope: 'variable', reason: 'REGISTERS', about: 'energy register decreasing' },
  {
    id: 'energy_balance',
    scope: 'variable',
    reason: 'ENERGY_BALANCE',
    about: 'energy delta not matching integrated power',
  },
  { id: 'voltage', scope: 'variable', reason: 'VOLTAGE', about: 'voltage outside nominal ±10 %' },
  {
    id: 'import_export',
    scope: 'variable',
    reason: 'IMPORT_AND_EXPORT',
    about: 'import and export power both positive',
  },
  {
    id: 'location',
    scope: 'location',
    reason: 'LOCATION_MISMATCH',
    about: 'observed position far from declared location',
  },
  { id: 'ingest', scope: 'info', reason: 'INGEST_FLAGS', about: 'flagged at ingest (out of range, clock ahead)' },
  {
    id: 'buddy',
    scope: 'variable',
    reason: 'SPATIAL_OUTLIER',
    about: 'hourly mean far from neighbours (robust buddy check)',
  },
  { id: 'shade', scope: 'variable', reason: 'SHADED_OR_INDOOR', about: 'no light in daylight: indoor or shaded' },
  {
    id: 'clone',
    scope: 'location',
    reason: 'CLONED_KEY_SUSPECTED',
    about: 'one key used by two devices: at two places at once, or one seq signed twice with different content',
  },
  {
    id: 'integrity',
    scope: 'info',
    reason: 'BAD_SIGNATURES',
    about: 'messages with bad signatures or proofs quarantined',
  },
  {
    id: 'replay',
    scope: 'info',
    reason: 'REPLAYED_MESSAGES',
    about: 'rewound sequence numbers quarantined (old messages sent again, or a device that lost its counter)',
  },
  {
    id: 'gaps',
    scope: 'info',
    reason: 'DATA_GAPS',
    about: 'hour with fewer readings than the availability threshold (the device went silent)',
  },
  {
    id: 'drift',
    scope: 'variable',
    reason: 'DRIFT',
    about: 'deviation from the neighbours (or from the odometer) growing steadily over the epoch',
  },
] as const;

export type CheckId = (typeof CHECKS)[number]['id'];
export type CheckScope = (typeof CHECKS)[number]['scope'];
export const CHECK_COUNT = CHECKS.length;

/** Index (bit position) of each check. */
export const C = Object.fromEntries(CHECKS.map((check, index) => [check.id, index])) as {
  readonly [K in CheckId]: number;
};

export const CHECK_IDS: readonly CheckId[] = CHECKS.map((check) => check.id);

/** Names of the checks whose bits are set in `flags`, in check order. */
export function checkNames(flags: number): CheckId[] {
  const names: CheckId[] = [];
  for (let c = 0; c < CHECK_COUNT; c++) {
    if ((flags >>> c) & 1) {
      names.push(CHECKS[c]!.id);
    }
  }
  return names;
}

export function isCheckId(value: unknown): value is CheckId {
  return typeof value === 'string' && (CHECK_IDS as readonly string[]).includes(value);
}
