/**
 * The dashboards against a real network: after a pipeline run (registry, MQTT, ingest, stored rewards), every
 * panel's, variable's and alert rule's SQL — with Grafana's macros and template variables expanded — runs on the
 * test TimescaleDB and returns rows with the columns the panel reads; every PromQL expression names metrics
 * the running services export; the build is reproducible and matches the files in the repository.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RULES } from '../src/alerts.js';
import { writeGenerated } from '../src/build.js';
import { allPanels, type ColumnKind, type SqlCheck } from '../src/common.js';
import { generate } from '../src/generate.js';
import { METRICS_BY_SERVICE, SCRAPE_SERIES, type Service } from '../src/metrics.js';
import { exposedNames, metricSelectors } from '../src/promql-names.js';
import { KINDS } from '../src/sql.js';
import { renderSql, type SqlRenderContext } from '../src/sql-macros.js';
import { runPipeline, type PipelineRun } from './pipeline.js';

const generated = generate();
const DASHBOARDS_DIR = fileURLToPath(new URL('..', import.meta.url));

/** PostgreSQL type OIDs a column of each kind may have. */
const OIDS: Record<ColumnKind, readonly number[]> = {
  time: [1184, 1114, 701, 1700, 20], // timestamptz, timestamp, or epoch seconds ($__timeGroup without TimescaleDB)
  number: [20, 21, 23, 700, 701, 1700],
  text: [25, 1043, 1042, 19],
  bool: [16],
};

type Target = { rawSql?: string; expr?: string };
const targetsOf = (panel: Panel): Target[] => (panel.targets ?? []) as unknown as Target[];

/** Every SQL text with where it is used, e.g. "gt-rewards › Top owners". */
const SQL_CASES: [string, SqlCheck][] = [
  ...generated.dashboards.flatMap(({ uid, dashboard, sql }) =>
    sql.map((check): [string, SqlCheck] => {
      const panel = allPanels(dashboard).find((p) => targetsOf(p).some((t) => t.rawSql === check.sql));
      return [`${uid} › ${panel?.title ?? `variable (${check.usage})`}`, check];
    }),
  ),
  ...generated.alertSql.map((check, i): [string, SqlCheck] => [
    `alert › ${RULES.filter((r) => 'sql' in r.query)[i]?.title}`,
    check,
  ]),
];

const PROMQL: string[] = [
  ...generated.dashboards.flatMap((d) =>
    allPanels(d.dashboard).flatMap((p) => targetsOf(p).flatMap((t) => (t.expr ? [t.expr] : []))),
  ),
  ...RULES.flatMap((r) => ('promql' in r.query ? [r.query.promql] : [])),
];

let run: PipelineRun;

beforeAll(async () => {
  run = await runPipeline(inject('databaseUrl'), inject('mqttUrl'));
});

afterAll(async () => {
  await run?.close();
});

function contextOf(timescaledb: boolean): SqlRenderContext {
  const now = Date.now();
  return {
    from: new Date(now - 2 * 24 * 3_600_000),
    to: new Date(now),
    intervalMs: 300_000,
    timescaledb,
    variables: { kind: { value: KINDS, multi: true }, device: { value: run.focusDevice } },
  };
}

describe('SQL of every panel, variable and alert rule', () => {
  it.each(SQL_CASES)('%s', async (_, check) => {
    // TimescaleDB data sources get time_bucket(); plain PostgreSQL / PGlite ones get epoch arithmetic: both must work
    for (const timescaledb of run.timescaledb ? [true, false] : [false]) {
      const result = await run.query(renderSql(check.sql, contextOf(timescaledb)));
      expect(result.rows.length, `rows (timescaledb=${timescaledb})`).toBeGreaterThan(0);
      expect(result.fields.map((f) => f.name)).toEqual(Object.keys(check.columns));
      for (const field of result.fields) {
        expect(OIDS[check.columns[field.name]!], `type of ${field.name}`).toContain(field.dataTypeID);
      }
      if (check.format === 'time_series') {
        const times = result.rows.map((row) => Number(row.time instanceof Date ? row.time.getTime() : row.time));
        expect(
          times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!)),
          'time ascending',
        ).toBe(true);
      }
    }
  });
});

describe('what the panels show after the run', () => {
  const panelSql = (uid: string, title: string): string => {
    const panel = allPanels(generated.dashboards.find((d) => d.uid === uid)!.dashboard).find((p) => p.title === title)!;
    return renderSql(targetsOf(panel)[0]!.rawSql!, contextOf(run.timescaledb));
  };

  it('network health lists every quarantine reason the traffic produced and counts the online devices', async () => {
    const reasons = await run.query(panelSql('gt-network-health', 'Quarantine reasons'));
    expect(reasons.rows.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['BAD_SIGNATURE', 'REPLAYED_SEQ', 'MALFORMED_JSON', 'UNKNOWN_DEVICE', 'DEVICE_SUSPENDED']),
    );
    const online = await run.query(panelSql('gt-network-health', 'Devices online'));
    expect(online.rows).toEqual([{ online: '6', active: '6' }]); // 7 registered, 1 suspended
  });

  it('the device drill-down shows the focus device’s seq gap and its refused messages', async () => {
    const missing = await run.query(panelSql('gt-device', 'Missing readings (seq gaps)'));
    expect(Number(missing.rows[0].missing)).toBe(1);
    const refused = await run.query(panelSql('gt-device', 'Quarantined'));
    expect(refused.rows.map((r) => r.reason)).toEqual(expect.arrayContaining(['BAD_SIGNATURE', 'REPLAYED_SEQ']));
  });

  it('the map places vehicles at their GNSS fix and lists the meter that declared no location', async () => {
    const placed = await run.query(panelSql('gt-device-map', 'Devices'));
    expect(placed.rows.filter((r) => r.kind === 'vehicle').map((r) => r.position)).toEqual(['observed', 'observed']);
    expect(placed.rows.every((r) => r.score >= 0 && r.score <= 1)).toBe(true);
    const unplaced = await run.query(panelSql('gt-device-map', 'Devices without a position'));
    expect(unplaced.rows.map((r) => r.kind)).toEqual(['energy']);
  });

  it('data quality sees the out-of-range and delayed readings the ingest flagged', async () => {
    const flags = await run.query(panelSql('gt-data-quality', 'Flags by check (ingest)'));
    const total = (name: string) => flags.rows.reduce((sum, row) => sum + Number(row[name]), 0);
    expect(total('out of range')).toBeGreaterThan(0);
    expect(total('delayed')).toBeGreaterThan(0);
  });
});

describe('PromQL against the running services', () => {
  const families = (text: string) => new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));

  it.each(Object.keys(METRICS_BY_SERVICE) as Service[])(
    '%s exports every metric metrics.ts lists for it',
    (service) => {
      const exported = families(run.exposition[service]);
      const missing = Object.values(METRICS_BY_SERVICE[service]).filter((name) => !exported.has(name));
      expect(missing).toEqual([]);
    },
  );

  it('every metric any expression reads is exported by a running service', () => {
    const exported = new Set(Object.values(run.exposition).flatMap((text) => [...exposedNames(text)]));
    expect(PROMQL.length).toBeGreaterThan(20);
    const unknown = PROMQL.flatMap((expr) =>
      metricSelectors(expr)
        .filter((s) => !exported.has(s.name) && !SCRAPE_SERIES.includes(s.name))
        .map((s) => `${s.name} (in ${expr})`),
    );
    expect(unknown).toEqual([]);
  });

  it('every label a selector matches on appears on that metric’s samples after the run', () => {
    const samples = Object.values(run.exposition).join('\n');
    for (const selector of PROMQL.flatMap(metricSelectors)) {
      for (const label of selector.labels) {
        expect(samples, `${selector.name}{${label}}`).toMatch(
          new RegExp(`^${selector.name}\\{[^}]*\\b${label}="`, 'm'),
        );
      }
    }
  });
});

describe('build', () => {
  it('writes byte-identical files twice, equal to the ones in the repository', () => {
    const [a, b] = [mkdtempSync(path.join(os.tmpdir(), 'gt-dash-')), mkdtempSync(path.join(os.tmpdir(), 'gt-dash-'))];
    try {
      const first = writeGenerated(a).map((f) => path.relative(a, f));
      const second = writeGenerated(b).map((f) => path.relative(b, f));
      expect(second).toEqual(first);
      for (const file of first) {
        const content = readFileSync(path.join(a, file));
        expect(readFileSync(path.join(b, file)).equals(content), file).toBe(true);
        expect(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8'), `${file} is stale: run npm run dashboards`).toBe(
          content.toString('utf8'),
        );
      }
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});
