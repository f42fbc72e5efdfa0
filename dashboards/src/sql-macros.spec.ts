import { describe, expect, it } from 'vitest';
import {
  expandMacros,
  formatInterval,
  interpolateVariables,
  parseInterval,
  renderSql,
  rfc3339Nano,
  SqlTemplateError,
  stripSqlComments,
  type SqlRenderContext,
} from './sql-macros.js';

const ctx: SqlRenderContext = {
  from: new Date('2026-01-01T00:00:00.000Z'),
  to: new Date('2026-01-01T06:00:00.500Z'),
  intervalMs: 60_000,
  timescaledb: false,
  variables: {
    device: { value: "dev'1" },
    kind: { value: ['weather', 'energy'], multi: true },
    one: { value: 'vehicle', multi: true },
  },
};

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof SqlTemplateError ? error.code : 'OTHER';
  }
  return undefined;
};

describe('Grafana PostgreSQL macros', () => {
  it('expands time filters with RFC 3339 UTC instants, fractional seconds trimmed', () => {
    expect(expandMacros('WHERE $__timeFilter(ts)', ctx)).toBe(
      "WHERE ts BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-01T06:00:00.5Z'",
    );
    expect(expandMacros('$__timeFrom() < $__timeTo()', ctx)).toBe("'2026-01-01T00:00:00Z' < '2026-01-01T06:00:00.5Z'");
    expect(expandMacros('$__unixEpochFilter(t)', ctx)).toBe('t >= 1767225600 AND t <= 1767247200');
  });

  it('groups by epoch arithmetic, or time_bucket when the data source has TimescaleDB on', () => {
    expect(expandMacros('SELECT $__timeGroupAlias(ts, 5m)', ctx)).toBe(
      'SELECT floor(extract(epoch from ts)/300)*300 AS "time"',
    );
    expect(expandMacros("SELECT $__timeGroupAlias(ts, '1h')", { ...ctx, timescaledb: true })).toBe(
      `SELECT time_bucket('3600.000s',ts) AS "time"`,
    );
    expect(expandMacros('SELECT $__time(ts), $__timeEpoch(ts)', ctx)).toBe(
      'SELECT ts AS "time", extract(epoch from ts) as "time"',
    );
  });

  it('adds the alias to $__timeGroup directly followed by a comma, like Grafana (pre-5.3 queries)', () => {
    expect(expandMacros('SELECT $__timeGroup(ts, 1m), x GROUP BY $__timeGroup(ts, 1m)', ctx)).toBe(
      'SELECT floor(extract(epoch from ts)/60)*60 AS "time", x GROUP BY floor(extract(epoch from ts)/60)*60',
    );
  });

  it('refuses unknown macros, missing arguments, fill modes and bad intervals', () => {
    expect(code(() => expandMacros('$__nope(ts)', ctx))).toBe('UNKNOWN_MACRO');
    expect(code(() => expandMacros('$__timeFilter()', ctx))).toBe('BAD_MACRO_ARGS');
    expect(code(() => expandMacros('$__timeGroup(ts)', ctx))).toBe('BAD_MACRO_ARGS');
    expect(code(() => expandMacros('$__timeGroup(ts, 1m, NULL)', ctx))).toBe('BAD_MACRO_ARGS');
    expect(code(() => expandMacros('$__timeGroup(ts, 1M)', ctx))).toBe('BAD_INTERVAL');
    expect(code(() => expandMacros('$__timeGroup(ts, 0s)', ctx))).toBe('BAD_INTERVAL');
  });

  it('strips comments outside literals before expanding, so commented macros are not evaluated', () => {
    const sql = "SELECT '--not a comment', \"a/*b\" -- $__nope(x)\nFROM t /* $__nope() */ WHERE $$ -- kept $$ = ''''";
    expect(stripSqlComments(sql)).toBe("SELECT '--not a comment', \"a/*b\" \nFROM t  WHERE $$ -- kept $$ = ''''");
    expect(() => expandMacros(sql, ctx)).not.toThrow();
  });
});

describe('template variables', () => {
  it('inserts a single-value variable raw (quotes doubled) and quotes each value of a multi-value one', () => {
    expect(interpolateVariables("device_id = '$device' AND kind IN ($kind)", ctx)).toBe(
      "device_id = 'dev''1' AND kind IN ('weather','energy')",
    );
    expect(interpolateVariables('kind IN (${one})', ctx)).toBe("kind IN ('vehicle')");
    expect(interpolateVariables('${kind:csv} [[kind:raw]] ${kind:sqlstring}', ctx)).toBe(
      "weather,energy weather,energy 'weather','energy'",
    );
  });

  it('knows the built-in interval and range variables and leaves macros to the backend', () => {
    expect(interpolateVariables('$__interval $__interval_ms $__range_s $__timeFilter(ts)', ctx)).toBe(
      '1m 60000 21601 $__timeFilter(ts)',
    );
  });

  it('refuses variables the dashboard does not define and unknown formats', () => {
    expect(code(() => interpolateVariables('$devices', ctx))).toBe('UNKNOWN_VARIABLE');
    expect(code(() => interpolateVariables('$__rate_interval', ctx))).toBe('UNKNOWN_VARIABLE');
    expect(code(() => interpolateVariables('${kind:json}', ctx))).toBe('BAD_FORMAT');
  });

  it('renders a whole panel query: variables first, then macros', () => {
    expect(renderSql("SELECT $__timeGroupAlias(ts, $__interval) FROM r WHERE device_id = '$device'", ctx)).toBe(
      `SELECT floor(extract(epoch from ts)/60)*60 AS "time" FROM r WHERE device_id = 'dev''1'`,
    );
  });
});

describe('intervals and instants', () => {
  it('formats and parses intervals as Grafana does', () => {
    expect([500, 1000, 30_000, 60_000, 3_600_000, 86_400_000].map(formatInterval)).toEqual([
      '500ms',
      '1s',
      '30s',
      '1m',
      '1h',
      '1d',
    ]);
    expect(code(() => formatInterval(90_000))).toBe('BAD_INTERVAL');
    expect(code(() => formatInterval(0))).toBe('BAD_INTERVAL');
    expect(['250ms', '15s', '5m', '2h', '1d', '1w'].map(parseInterval)).toEqual([
      250, 15_000, 300_000, 7_200_000, 86_400_000, 604_800_000,
    ]);
    expect(code(() => parseInterval('5 minutes'))).toBe('BAD_INTERVAL');
  });

  it('writes instants like Go RFC3339Nano in UTC', () => {
    expect(rfc3339Nano(new Date('2026-03-04T05:06:07.000Z'))).toBe('2026-03-04T05:06:07Z');
    expect(rfc3339Nano(new Date('2026-03-04T05:06:07.120Z'))).toBe('2026-03-04T05:06:07.12Z');
    expect(rfc3339Nano(new Date('2026-03-04T05:06:07.001Z'))).toBe('2026-03-04T05:06:07.001Z');
  });
});
