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

/** Each device's score at the newest closed epoch, as the rewards engine recorded it from the scoring service. */
export const LAST_EPOCH_SCORES = `SELECT device_id, quality, location_score, score_reasons FROM reward_epoch_devices
  WHERE epoch = (SELECT max(epoch) FROM reward_epochs)`;
