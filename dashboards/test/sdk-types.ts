/**
 * "The generated JSON is what the SDK types describe", checked by the TypeScript compiler: each generated file is
 * pasted as an object literal into a module that declares it with the foundation SDK's types, and the module is
 * type-checked. Object literals get excess-property checks, so a key the SDK does not know fails as surely as a
 * wrong value type.
 *
 * Two adjustments make the SDK's TypeScript types describe JSON: `Wire<T>` turns enums into the union of their
 * values (JSON carries `"heatmap"`, not `PromQueryFormat.Heatmap`) and drops methods (`_implementsDataqueryVariant`
 * is a type-level marker that JSON never carries). And where the SDK types leave a field `any` — a panel's
 * `options` and `fieldConfig.defaults.custom`, a query's `model` — the check substitutes the plugin's own types
 * (`timeseries.Options`, `prometheus.Dataquery`, `expr.TypeReduce`, …), chosen by the panel's `type`. SQL targets
 * are the one model the SDK has no type for (no PostgreSQL data source in 0.0.21): they are checked against
 * `SqlQuery` of src/common.ts, which mirrors Grafana's SQL query model.
 */
import path from 'node:path';
import ts from 'typescript';

const PLUGINS: Readonly<Record<string, { options: string; fieldConfig?: string }>> = {
  timeseries: { options: 'timeseries.Options', fieldConfig: 'timeseries.FieldConfig' },
  stat: { options: 'stat.Options' },
  table: { options: 'table.Options', fieldConfig: 'table.FieldConfig' },
  bargauge: { options: 'bargauge.Options' },
  heatmap: { options: 'heatmap.Options', fieldConfig: 'heatmap.FieldConfig' },
  geomap: { options: 'geomap.Options' },
};

const PRELUDE = `
import type * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as expr from '@grafana/grafana-foundation-sdk/expr';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import type * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { SqlQuery } from '../src/common.js';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Method = (...args: never[]) => unknown;
/** T as JSON: enums become their values, methods disappear; \`any\` stays unchecked. */
type Wire<T> =
  IsAny<T> extends true ? unknown
  : T extends Method ? never
  : T extends string ? (string extends T ? string : \`\${T}\`)
  : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? Wire<U>[]
  : { [K in keyof T as T[K] extends Method ? never : K]: Wire<T[K]> };

type Query = Wire<prometheus.Dataquery> | Wire<SqlQuery>;
type FieldConfigOf<Custom> = Omit<Wire<dashboard.FieldConfigSource>, 'defaults'> & {
  defaults: Omit<Wire<dashboard.FieldConfig>, 'custom'> & { custom?: Custom };
};
type PanelOf<Type extends string, Options, Custom = unknown> = Omit<
  Wire<dashboard.Panel>,
  'type' | 'options' | 'fieldConfig' | 'targets'
> & { type: Type; options?: Wire<Options>; fieldConfig?: FieldConfigOf<Wire<Custom>>; targets?: Query[] };
type AnyPanel = ${Object.entries(PLUGINS)
  .map(([type, p]) => `PanelOf<'${type}', ${p.options}${p.fieldConfig ? `, ${p.fieldConfig}` : ''}>`)
  .join(' | ')};
type Row = Omit<Wire<dashboard.RowPanel>, 'panels'> & { panels: AnyPanel[] };
type StrictDashboard = Omit<Wire<dashboard.Dashboard>, 'panels'> & { panels?: (AnyPanel | Row)[] };

type AlertQuery = Omit<Wire<alerting.Query>, 'model'> & {
  model: Query | Wire<expr.TypeReduce> | Wire<expr.TypeThreshold>;
};
/** Grafana's file-provisioning format: the SDK's rule, with the folder and group given by the group around it. */
type ProvisionedRule = Omit<Wire<alerting.Rule>, 'folderUID' | 'orgID' | 'ruleGroup' | 'data'> & {
  data: AlertQuery[];
  dashboardUid?: string;
  panelId?: number;
};
type AlertFile = {
  apiVersion: 1;
  groups: { orgId: number; name: string; folder: string; interval: string; rules: ProvisionedRule[] }[];
};
`;

/** The module that declares each generated file with its SDK type. */
export function typeCheckModule(files: {
  readonly dashboards: readonly { readonly name: string; readonly json: string }[];
  readonly alerts?: string;
}): string {
  const decls = files.dashboards.map(
    ({ name, json }, i) => `// ${name}\nexport const dashboard${i}: StrictDashboard = ${json};\n`,
  );
  if (files.alerts !== undefined) {
    decls.push(`export const alerts: AlertFile = ${files.alerts};\n`);
  }
  return `${PRELUDE}\n${decls.join('\n')}`;
}

/** Type-checks `source` as if it were the file `fileName` (inside dashboards/test, so its imports resolve). */
export function typeCheck(fileName: string, source: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const target = path.resolve(fileName);
  host.readFile = (file) => (path.resolve(file) === target ? source : readFile(file));
  host.fileExists = (
    (exists) => (file: string) =>
      path.resolve(file) === target || exists(file)
  )(host.fileExists.bind(host));
  host.getSourceFile = (file, language, onError, create) =>
    path.resolve(file) === target
      ? ts.createSourceFile(file, source, language, true)
      : getSourceFile(file, language, onError, create);
  const program = ts.createProgram([target], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} `
        : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Panel `type`s of dashboard JSON the check cannot type (it would reject them: keep PLUGINS complete). */
export function unknownPanelTypes(dashboards: readonly { readonly panels?: readonly { readonly type: string }[] }[]) {
  const seen = dashboards.flatMap((d) =>
    (d.panels ?? []).flatMap((p) =>
      p.type === 'row' ? ((p as { panels?: { type: string }[] }).panels ?? []).map((c) => c.type) : [p.type],
    ),
  );
  return [...new Set(seen.filter((t) => !(t in PLUGINS)))];
}
