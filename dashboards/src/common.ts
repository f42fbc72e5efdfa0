/**
 * Shared factories of the GroundTruth dashboards: data source references with fixed uids (the provisioning files
 * create data sources with the same uids), SQL and PromQL query builders, panel builders with the house defaults,
 * and the dashboard wrapper that numbers panels and query refIds so the generated JSON is stable.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  type Dashboard,
  type Panel,
  type RowPanel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PromQueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';

export const POSTGRES = {
  type: 'grafana-postgresql-datasource',
  uid: 'gt-postgres',
} as const satisfies common.DataSourceRef;
export const PROMETHEUS = { type: 'prometheus', uid: 'gt-prometheus' } as const satisfies common.DataSourceRef;

/** How a test reads a result column: `time` is a timestamp or epoch seconds (what `$__timeGroup` returns). */
export type ColumnKind = 'time' | 'number' | 'text' | 'bool';

/** Grafana's SQL result formats: `time_series` needs a `time` column, numeric values and an optional `metric`. */
export type SqlFormat = 'time_series' | 'table';

export interface SqlSpec {
  readonly sql: string;
  readonly format: SqlFormat;
  /** the result columns, in order, that the panel reads */
  readonly columns: Readonly<Record<string, ColumnKind>>;
  readonly refId?: string;
}

/** A panel query as the grafana-postgresql-datasource stores it (raw SQL, code editor). */
export interface SqlQuery extends cog.Dataquery {
  refId?: string;
  datasource: common.DataSourceRef;
  editorMode: 'code';
  format: SqlFormat;
  rawQuery: true;
  rawSql: string;
}

class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly spec: SqlSpec) {}

  build(): SqlQuery {
    return {
      ...(this.spec.refId ? { refId: this.spec.refId } : {}),
      datasource: { ...POSTGRES },
      editorMode: 'code',
      format: this.spec.format,
      rawQuery: true,
      rawSql: this.spec.sql,
      _implementsDataqueryVariant() {},
    };
  }
}

/** Where a SQL text is used, for the test that runs it: a panel target, a template variable or an alert rule. */
export interface SqlCheck extends SqlSpec {
  readonly usage: 'panel' | 'variable' | 'alert';
}

/** Collects the SQL of one dashboard (or alert file) with the columns each use expects. */
export class SqlCatalogue {
  readonly checks: SqlCheck[] = [];

  /** A panel target; the SQL is recorded for the integration test. */
  query(spec: SqlSpec): cog.Builder<cog.Dataquery> {
    this.checks.push({ ...spec, sql: spec.sql, usage: 'panel' });
    return new SqlQueryBuilder(spec);
  }

  /** The SQL of a template variable (`__text`/`__value` columns, or one column). */
  variable(sql: string, columns: Readonly<Record<string, ColumnKind>>): string {
    this.checks.push({ sql, format: 'table', columns, usage: 'variable' });
    return sql;
  }

  /** The SQL of an alert rule query (a table with one numeric column per series). */
  alert(spec: SqlSpec): SqlQuery {
    this.checks.push({ ...spec, usage: 'alert' });
    return new SqlQueryBuilder(spec).build();
  }
}

/** A PromQL target: a range query, legend from labels (`{{reason}}`). */
export function prom(expr: string, legend?: string): cog.Builder<cog.Dataquery> {
  const query = new PromQueryBuilder()
    .datasource({ ...PROMETHEUS })
    .expr(expr)
    .range();
  return legend === undefined ? query : query.legendFormat(legend);
}

/** A PromQL target for a heatmap of histogram buckets (`sum by (le) (increase(x_bucket[...]))`). */
export function promHeatmap(expr: string): cog.Builder<cog.Dataquery> {
  return new PromQueryBuilder()
    .datasource({ ...PROMETHEUS })
    .expr(expr)
    .range()
    .format(PromQueryFormat.Heatmap)
    .legendFormat('{{le}}');
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly from?: string;
  readonly refresh?: string;
}

/** A dashboard with the house defaults: UTC, shared crosshair, read-only (provisioned from files). */
export function dashboard(spec: DashboardSpec): DashboardBuilder {
  return new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['groundtruth', ...spec.tags])
    .timezone('utc')
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: spec.from ?? 'now-6h', to: 'now' })
    .refresh(spec.refresh ?? '1m')
    .readonly();
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Numbers panels 1..n in layout order and names unnamed targets A, B, …: ids stay stable between builds. */
export function finalize(built: Dashboard): Dashboard {
  let id = 0;
  const number = (panel: Panel | RowPanel): void => {
    panel.id = ++id;
    if (panel.type === 'row') {
      (panel as RowPanel).panels.forEach(number);
      return;
    }
    ((panel as Panel).targets ?? []).forEach((target, index) => {
      const t = target as { refId?: string };
      t.refId ??= REF_IDS[index];
    });
  };
  (built.panels ?? []).forEach(number);
  return built;
}

/** Every panel of a dashboard, rows flattened. */
export function allPanels(built: Dashboard): Panel[] {
  return (built.panels ?? []).flatMap((p) => (p.type === 'row' ? (p as RowPanel).panels : [p as Panel]));
}
