/**
 * Device map: every registered device where it is (last observed GNSS position, else the declared location),
 * coloured by its score (last epoch quality; availability in the range while a device has no epoch score yet).
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, type SqlCatalogue } from '../common.js';
import { geomap, table } from '../panels.js';
import { availability, LAST_EPOCH_SCORES, readingsUnion } from '../sql.js';
import { kindVariable } from '../variables.js';
import { DEVICE_UID } from './device-drilldown.js';

export const DEVICE_MAP_UID = 'gt-device-map';

const POSITIONED = `WITH seen AS (
  SELECT DISTINCT ON (device_id) device_id, lat, lon
  FROM (${readingsUnion('device_id, ts, lat, lon', '$__timeFilter(ts) AND lat IS NOT NULL AND lon IS NOT NULL', { kindVariable: true })}) u
  ORDER BY device_id, ts DESC),
r AS (SELECT device_id, count(*) AS n FROM (${readingsUnion('device_id', '$__timeFilter(ts)', { kindVariable: true })}) u
  GROUP BY device_id),
s AS (${LAST_EPOCH_SCORES}),
placed AS (
  SELECT d.device_id, d.kind, d.model, d.status, coalesce(seen.lat, d.declared_lat) AS latitude,
    coalesce(seen.lon, d.declared_lon) AS longitude, CASE WHEN seen.lat IS NULL THEN 'declared' ELSE 'observed' END AS position,
    coalesce(s.quality, ${availability('coalesce(r.n, 0)')}) AS score,
    CASE WHEN s.quality IS NULL THEN 'availability' ELSE 'epoch quality' END AS score_source
  FROM devices d LEFT JOIN seen USING (device_id) LEFT JOIN r USING (device_id) LEFT JOIN s USING (device_id)
  WHERE d.kind IN ($kind) AND d.status <> 'revoked')`;

export function deviceMap(q: SqlCatalogue): DashboardBuilder {
  return dashboard({
    uid: DEVICE_MAP_UID,
    title: 'GroundTruth · Device map',
    description: 'Devices at their observed or declared positions, coloured by score.',
    tags: ['map'],
    from: 'now-24h',
    refresh: '5m',
  })
    .withVariable(kindVariable())
    .withPanel(
      geomap({
        title: 'Devices',
        description: 'Colour: score 0 (red) to 1 (green). Click a device for its drill-down.',
        colorField: 'score',
        min: 0,
        max: 1,
        targets: [
          q.query({
            format: 'table',
            sql: `${POSITIONED}
SELECT device_id, kind, model, status, latitude, longitude, position, score, score_source FROM placed
WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY device_id`,
            columns: {
              device_id: 'text',
              kind: 'text',
              model: 'text',
              status: 'text',
              latitude: 'number',
              longitude: 'number',
              position: 'text',
              score: 'number',
              score_source: 'text',
            },
          }),
        ],
      }).overrideByName('device_id', [
        {
          id: 'links',
          value: [
            { title: 'Device drill-down', url: `/d/${DEVICE_UID}?var-device=\${__value.raw}&\${__url_time_range}` },
          ],
        },
      ]),
    )
    .withPanel(
      table({
        title: 'Devices without a position',
        description: 'Neither a GNSS fix in the range nor a declared location: they cannot be placed on the map.',
        span: 24,
        targets: [
          q.query({
            format: 'table',
            sql: `${POSITIONED}
SELECT device_id, kind, model, status, score FROM placed WHERE latitude IS NULL OR longitude IS NULL ORDER BY device_id`,
            columns: { device_id: 'text', kind: 'text', model: 'text', status: 'text', score: 'number' },
          }),
        ],
      }),
    );
}
