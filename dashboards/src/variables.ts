/** Template variables shared by the dashboards. */
import {
  CustomVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { POSTGRES, type SqlCatalogue } from './common.js';
import { KINDS, VERSIONS_NEWEST_FIRST } from './sql.js';

/** `$kind`: hardware kinds, multi-select with All (SQL: `kind IN ($kind)`, PromQL: `kind=~"$kind"`). */
export function kindVariable(): CustomVariableBuilder {
  return new CustomVariableBuilder('kind')
    .label('Kind')
    .values(KINDS.join(','))
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** `$device`: one device, listed from the registry as "id (kind)". SQL: `device_id = '$device'`. */
export function deviceVariable(q: SqlCatalogue): QueryVariableBuilder {
  const sql = q.variable(
    `SELECT device_id AS __value, device_id || ' (' || kind || ')' AS __text FROM devices ORDER BY kind, device_id`,
    { __value: 'text', __text: 'text' },
  );
  return new QueryVariableBuilder('device')
    .label('Device')
    .datasource({ ...POSTGRES })
    .query(sql)
    .definition(sql)
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.Disabled)
    .multi(false)
    .includeAll(false);
}

/**
 * `$version`: the scoring algorithm version whose hour rollups and reading flags to show, newest first (the
 * default). SQL: `version = '$version'`.
 */
export function versionVariable(q: SqlCatalogue): QueryVariableBuilder {
  const sql = q.variable(
    `SELECT version AS __value, version AS __text FROM (SELECT DISTINCT version FROM device_hour) v
ORDER BY ${VERSIONS_NEWEST_FIRST}`,
    { __value: 'text', __text: 'text' },
  );
  return new QueryVariableBuilder('version')
    .label('Scoring version')
    .datasource({ ...POSTGRES })
    .query(sql)
    .definition(sql)
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.Disabled)
    .multi(false)
    .includeAll(false);
}
