/**
 * What Grafana does to a PostgreSQL panel query before the database sees it, as a pure function, so tests can run
 * every panel's SQL for real: first the frontend interpolates template variables (`$device`, `${kind}`,
 * `$__interval`, …) the way the SQL data sources format them, then the backend strips comments and expands the
 * `$__macro(...)` calls (grafana-postgresql-datasource `macros.go`: `$__timeFilter`, `$__timeGroupAlias`, …).
 */

export class SqlTemplateError extends Error {
  override readonly name = 'SqlTemplateError';
  constructor(
    readonly code: 'UNKNOWN_VARIABLE' | 'UNKNOWN_MACRO' | 'BAD_MACRO_ARGS' | 'BAD_INTERVAL' | 'BAD_FORMAT',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A template variable's current value: a string for a single-value variable, an array for multi-value / All. */
export type VariableValue = string | readonly string[];

export interface SqlRenderContext {
  readonly from: Date;
  readonly to: Date;
  /** `$__interval` in milliseconds (Grafana derives it from the range and the panel width). */
  readonly intervalMs: number;
  /** The data source's "TimescaleDB" switch: `$__timeGroup` becomes `time_bucket(...)` instead of epoch math. */
  readonly timescaledb: boolean;
  /** Dashboard template variables by name. Multi-value or include-All variables are quoted like Grafana does. */
  readonly variables: Readonly<Record<string, { readonly value: VariableValue; readonly multi?: boolean }>>;
}

/** Names of the backend macros (expanded after interpolation); the frontend leaves `$__name(` alone. */
const MACROS = new Set([
  '__time',
  '__timeEpoch',
  '__timeFilter',
  '__timeFrom',
  '__timeTo',
  '__timeGroup',
  '__timeGroupAlias',
  '__unixEpochFilter',
  '__unixEpochFrom',
  '__unixEpochTo',
]);

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Grafana's text for an interval (`kbn.secondsToHms`): the largest whole unit. Only exact values are accepted. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (ms >= size) {
      if (ms % size !== 0) {
        throw new SqlTemplateError('BAD_INTERVAL', `${ms} ms is not a whole number of ${unit}`);
      }
      return `${ms / size}${unit}`;
    }
  }
  throw new SqlTemplateError('BAD_INTERVAL', `interval must be positive, got ${ms} ms`);
}

/** `gtime.ParseInterval` for the units a dashboard uses (calendar units M and y are refused). */
export function parseInterval(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) {
    throw new SqlTemplateError('BAD_INTERVAL', `cannot parse interval ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function formatVariable(name: string, value: VariableValue, multi: boolean, format: string | undefined): string {
  const values = typeof value === 'string' ? [value] : [...value];
  switch (format) {
    case undefined: // the SQL data sources' interpolateVariable
      if (typeof value === 'string' && !multi) {
        return value.replace(/'/g, "''");
      }
      return values.map(quoteLiteral).join(',');
    case 'raw':
      return values.join(',');
    case 'csv':
      return values.join(',');
    case 'singlequote':
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'sqlstring':
      return values.map(quoteLiteral).join(',');
    default:
      throw new SqlTemplateError('BAD_FORMAT', `unsupported format ${format} for $${name}`);
  }
}

// Grafana's variable regex (templateSrv): $name, [[name(:fmt)]], ${name(:fmt)}
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;

/** The frontend step: template and built-in variables replaced; macros left for {@link expandMacros}. */
export function interpolateVariables(sql: string, ctx: SqlRenderContext): string {
  const builtins: Record<string, string> = {
    __interval: formatInterval(ctx.intervalMs),
    __interval_ms: String(ctx.intervalMs),
    __from: String(ctx.from.getTime()),
    __to: String(ctx.to.getTime()),
    __range_s: String(Math.round((ctx.to.getTime() - ctx.from.getTime()) / 1000)),
  };
  return sql.replace(
    VARIABLE,
    (whole, plain?: string, bracket?: string, bracketFmt?: string, braced?: string, fmt?: string) => {
      const name = (plain ?? bracket ?? braced)!;
      const format = bracketFmt ?? fmt;
      if (name in builtins) {
        return builtins[name]!;
      }
      if (MACROS.has(name) && plain !== undefined) {
        return whole;
      }
      const variable = ctx.variables[name];
      if (!variable) {
        throw new SqlTemplateError('UNKNOWN_VARIABLE', `$${name} is not a dashboard variable`);
      }
      return formatVariable(name, variable.value, variable.multi ?? false, format);
    },
  );
}

/** Removes `--` and block comments outside quoted text and dollar-quoted strings, as the backend does. */
export function stripSqlComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? sql.length : end + dollar[0].length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) {
        j += sql[j] === c ? 2 : 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

const goFloat = (n: number): string => String(n);

function evaluateMacro(name: string, args: string[], ctx: SqlRenderContext): string {
  const column = (): string => {
    if (!args[0]) {
      throw new SqlTemplateError('BAD_MACRO_ARGS', `missing time column argument for macro ${name}`);
    }
    return args[0];
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${rfc3339Nano(ctx.from)}' AND '${rfc3339Nano(ctx.to)}'`;
    case '__timeFrom':
      return `'${rfc3339Nano(ctx.from)}'`;
    case '__timeTo':
      return `'${rfc3339Nano(ctx.to)}'`;
    case '__unixEpochFilter': {
      const col = column();
      return `${col} >= ${Math.floor(ctx.from.getTime() / 1000)} AND ${col} <= ${Math.floor(ctx.to.getTime() / 1000)}`;
    }
    case '__unixEpochFrom':
      return String(Math.floor(ctx.from.getTime() / 1000));
    case '__unixEpochTo':
      return String(Math.floor(ctx.to.getTime() / 1000));
    case '__timeGroup': {
      if (args.length < 2) {
        throw new SqlTemplateError('BAD_MACRO_ARGS', `macro ${name} needs time column and interval`);
      }
      if (args.length > 2) {
        throw new SqlTemplateError('BAD_MACRO_ARGS', `fill modes of ${name} are not supported here`);
      }
      const seconds = parseInterval(args[1]!.replace(/^'+|'+$/g, '')) / 1000;
      return ctx.timescaledb
        ? `time_bucket('${seconds.toFixed(3)}s',${args[0]})`
        : `floor(extract(epoch from ${args[0]})/${goFloat(seconds)})*${goFloat(seconds)}`;
    }
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, ctx)} AS "time"`;
    default:
      throw new SqlTemplateError('UNKNOWN_MACRO', `unknown macro "${name}"`);
  }
}

/** The backend step: comments stripped, then every `$__macro(args)` replaced. */
export function expandMacros(sql: string, ctx: SqlRenderContext): string {
  const stripped = stripSqlComments(sql);
  const pattern = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;
  return stripped.replace(pattern, (whole, macro: string, params: string, offset: number) => {
    if (params.includes('"')) {
      throw new SqlTemplateError('BAD_MACRO_ARGS', `quoted macro arguments are not supported: ${whole}`);
    }
    const trimmed = params.replace(/\n/g, '').trim();
    const args = trimmed === '' ? [''] : trimmed.split(',').map((arg) => arg.trim());
    // pre-5.3 compatibility in Grafana: `$__timeGroup(...)` directly followed by a comma gets the alias
    const name = macro === '__timeGroup' && stripped[offset + whole.length] === ',' ? '__timeGroupAlias' : macro;
    return evaluateMacro(name, args, ctx);
  });
}

/** The SQL that Grafana sends to PostgreSQL for a panel query in this context. */
export function renderSql(sql: string, ctx: SqlRenderContext): string {
  return expandMacros(interpolateVariables(sql, ctx), ctx);
}
