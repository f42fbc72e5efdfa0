/**
 * SQL fragments the dashboards share. Plain PostgreSQL (no TimescaleDB-only functions outside Grafana's own
 * `$__timeGroup` macro), so the same panels work on PostgreSQL, TimescaleDB and the embedded PGlite.
 */

export const KINDS = ['weather', 'vehicle', 'energy'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * `SELECT <columns>, '<kind>' AS kind FROM readings_<kind> WHERE <where>` for every kind, joined by UNION ALL.
 * With `kindVariable`, each branch is also guarded by `'<kind>' IN ($kind)`, which the planner folds into a
 * constant: unselected kinds cost nothing.
 */
export function readingsUnion(
  columns: string,
  where: string,
  options: { readonly kindVariable?: boolean } = {},
): string {
  return KINDS.map((kind) => {
    const guard = options.kindVariable ? ` AND '${kind}' IN ($kind)` : '';
    return `SELECT ${columns}, '${kind}' AS kind FROM readings_${kind} WHERE ${where}${guard}`;
  }).join('\n  UNION ALL ');
}

/** A device is online while its last reading arrived within three of its declared intervals. */
export const ONLINE = `s.last_received_at >= now() - make_interval(secs => 3 * d.interval_s)`;

/** Seconds between a reading's device timestamp and its arrival. */
export const DELIVERY_LAG = `extract(epoch from (received_at - ts))`;

/**
 * Readings received over readings promised in the dashboard's time range, capped at 1, for a device row `d`
 * (`devices`): the promise starts at registration and is one reading per declared interval.
 */
export function availability(readings: string): string {
  return `least(1.0, ${readings} / greatest(1.0,
    extract(epoch from ($__timeTo()::timestamptz - greatest($__timeFrom()::timestamptz, d.registered_at))) / d.interval_s))`;
}

/** Sort key of an algorithm version: the numeric triple of `qod-1.10.0` (NULL when there is none). */
const VERSION_KEY = `string_to_array(substring(version from '[0-9]+(?:[.][0-9]+)*$'), '.')::int[]`;

/** Algorithm versions newest first: `qod-1.10.0` before `qod-1.9.0` (the numeric triple, then the text). */
export const VERSIONS_NEWEST_FIRST = `${VERSION_KEY} DESC NULLS LAST, version DESC`;

/**
 * Each device's score at the last epoch the scoring service scored, one row per device: the newest algorithm
 * version when an appeal re-scored it (what the rewards engine reads).
 */
export const LAST_EPOCH_SCORES = `SELECT DISTINCT ON (device_id) device_id, kind, quality, location_score, availability, reasons,
    version, epoch_start, epoch_end
  FROM device_epoch_scores WHERE epoch_end = (SELECT max(epoch_end) FROM device_epoch_scores)
  ORDER BY device_id, ${VERSIONS_NEWEST_FIRST}`;

/** Scores of the epochs matching `where`, one row per device and epoch (newest algorithm version). */
export function epochScores(where: string): string {
  return `SELECT DISTINCT ON (epoch_end, device_id) device_id, kind, quality, location_score, availability, reasons,
    version, epoch_start, epoch_end
  FROM device_epoch_scores WHERE ${where}
  ORDER BY epoch_end, device_id, ${VERSIONS_NEWEST_FIRST}`;
}
