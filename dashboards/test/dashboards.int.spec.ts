/**
 * The dashboards against a real network: after a pipeline run (simulated devices on the real bridge code →
 * Mosquitto → ingest → TimescaleDB, scoring, a market sale, an epoch closed and paid by rewards on LiteSVM), every
 * panel's, variable's and alert rule's SQL — with Grafana's macros and the dashboard's template variables
 * expanded — runs on the test TimescaleDB and returns rows with the columns the panel reads; every PromQL
 * expression names metrics, labels and legend labels the running services export; the build is reproducible and
 * matches the files in the repository.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RULES } from '../src/alerts.js';
import { writeGenerated } from '../src/build.js';
import { allPanels, type ColumnKind, type SqlCheck } from '../src/common.js';
import { generate } from '../src/generate.js';
import { METRICS_BY_SERVICE, SCRAPE_SERIES, type Service } from '../src/metrics.js';
import { exposedNames, metricSelectors } from '../src/promql-names.js';
import { KINDS, VERSIONS_NEWEST_FIRST } from '../src/sql.js';
import { parseInterval, renderSql, type SqlRenderContext } from '../src/sql-macros.js';
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

/** Labels Prometheus attaches to every scraped series (target labels), not the services. */
const TARGET_LABELS = ['job', 'instance'];

type Target = { rawSql?: string; expr?: string; legendFormat?: string };
const targetsOf = (panel: Panel): Target[] => (panel.targets ?? []) as unknown as Target[];

interface SqlCase {
  readonly where: string;
  readonly check: SqlCheck;
  /** the dashboard it belongs to (variables, default time range); none for alert rules */
  readonly dashboard?: Dashboard;
}

const SQL_CASES: [string, SqlCase][] = [
  ...generated.dashboards.flatMap(({ uid, dashboard, sql }) =>
    sql.map((check): [string, SqlCase] => {
      const panel = allPanels(dashboard).find((p) => targetsOf(p).some((t) => t.rawSql === check.sql));
      const where = `${uid} › ${panel?.title ?? `variable (${check.usage})`}`;
      return [where, { where, check, dashboard }];
    }),
  ),
  ...generated.alertSql.map((check, i): [string, SqlCase] => {
    const where = `alert › ${RULES.filter((r) => 'sql' in r.query)[i]?.title}`;
    return [where, { where, check }];
  }),
];

const PROMQL: { expr: string; legend?: string }[] = [
  ...generated.dashboards.flatMap((d) =>
    allPanels(d.dashboard).flatMap((p) =>
      targetsOf(p).flatMap((t) =>
        t.expr ? [{ expr: t.expr, ...(t.legendFormat ? { legend: t.legendFormat } : {}) }] : [],
      ),
    ),
  ),
  ...RULES.flatMap((r) => ('promql' in r.query ? [{ expr: r.query.promql }] : [])),
];

let run: PipelineRun;
let newestVersion: string;

beforeAll(async () => {
  run = await runPipeline(inject('databaseUrl'), inject('mqttUrl'));
  const versions = generated.dashboards
    .flatMap((d) => d.sql)
    .find((c) => c.usage === 'variable' && c.sql.includes('FROM device_hour'))!;
  newestVersion = String((await run.query(versions.sql)).rows[0].__value);
}, 180_000);

afterAll(async () => {
  await run?.close();
});

/** Grafana's `$__interval` for a range drawn about a thousand pixels wide (`rangeutil.roundInterval`, coarsely). */
function intervalFor(rangeMs: number): number {
  const steps = ['1s', '5s', '10s', '15s', '30s', '1m', '5m', '10m', '15m', '30m', '1h', '3h', '12h', '1d'];
  return parseInterval(steps.find((s) => parseInterval(s) >= rangeMs / 1000) ?? '1d');
}

/** The dashboard's default time range and its variables at their defaults (`$kind` = All, the newest version). */
function contextOf(dashboard: Dashboard | undefined, timescaledb: boolean): SqlRenderContext {
  const now = Date.now();
  const from = dashboard?.time?.from ?? 'now-10m';
  const rangeMs = parseInterval(from.replace(/^now-/, ''));
  const defaults: SqlRenderContext['variables'] = {
    kind: { value: KINDS, multi: true },
    device: { value: run.roles.focus },
    version: { value: newestVersion },
  };
  const names = (dashboard?.templating.list ?? []).map((v) => v.name);
  return {
    from: new Date(now - rangeMs),
    to: new Date(now),
    intervalMs: intervalFor(rangeMs),
    timescaledb,
    variables: Object.fromEntries(names.map((name) => [name, defaults[name]!])),
  };
}

const query = async (sql: string, dashboard?: Dashboard) =>
  run.query(renderSql(sql, contextOf(dashboard, run.timescaledb)));

describe('SQL of every panel, variable and alert rule', () => {
  it.each(SQL_CASES)('%s', async (_, { check, dashboard }) => {
    // TimescaleDB data sources get time_bucket(); plain PostgreSQL / PGlite ones get epoch arithmetic: both must work
    for (const timescaledb of run.timescaledb ? [true, false] : [false]) {
      const context = contextOf(dashboard, timescaledb);
      const result = await run.query(renderSql(check.sql, context));
      expect(result.rows.length, `rows (timescaledb=${timescaledb})`).toBeGreaterThan(0);
      expect(result.fields.map((f) => f.name)).toEqual(Object.keys(check.columns));
      for (const field of result.fields) {
        expect(OIDS[check.columns[field.name]!], `type of ${field.name}`).toContain(field.dataTypeID);
      }
      if (check.format === 'time_series') {
        const times = result.rows.map((row) => {
          const t = row.time instanceof Date ? row.time.getTime() : Number(row.time) * 1000; // epoch seconds
          return t;
        });
        expect(
          times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!)),
          'time ascending',
        ).toBe(true);
        const [from, to] = [context.from.getTime() - context.intervalMs, context.to.getTime()];
        expect(
          times.filter((t) => t < from || t > to),
          'times inside the range',
        ).toEqual([]);
      }
    }
  });
});

describe('what the panels show after the run', () => {
  const dashboardOf = (uid: string) => generated.dashboards.find((d) => d.uid === uid)!.dashboard;
  const panel = async (uid: string, title: string) => {
    const found = allPanels(dashboardOf(uid)).find((p) => p.title === title);
    expect(found, `${uid} › ${title}`).toBeDefined();
    return (await query(targetsOf(found!)[0]!.rawSql!, dashboardOf(uid))).rows;
  };

  it('network health lists every quarantine reason the traffic produced and counts the online devices', async () => {
    const reasons = await panel('gt-network-health', 'Quarantine reasons');
    expect(reasons.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['BAD_SIGNATURE', 'REPLAYED_SEQ', 'MALFORMED_JSON', 'UNKNOWN_DEVICE', 'DEVICE_SUSPENDED']),
    );
    // every device but the suspended station is active and published within three intervals
    const active = String(run.roles.all.length - 1);
    expect(await panel('gt-network-health', 'Devices online')).toEqual([{ online: active, active }]);
  });

  it('the device drill-down shows the focus station’s refused readings, the seqs they leave missing, its flags, scores and rewards', async () => {
    const refused = await panel('gt-device', 'Quarantined');
    const badSignatures = refused.filter((r) => r.reason === 'BAD_SIGNATURE').length;
    expect(badSignatures).toBeGreaterThan(0);
    const [missing] = await panel('gt-device', 'Missing readings (seq gaps)');
    expect(Number(missing.missing)).toBeGreaterThanOrEqual(badSignatures);
    expect((await panel('gt-device', 'Flags by check (scoring)')).length).toBeGreaterThan(0);
    const scores = await panel('gt-device', 'Epoch scores');
    expect(scores[0]).toMatchObject({ epoch_start: new Date(run.epoch.startsAt), version: newestVersion });
    const rewards = await panel('gt-device', 'Rewards');
    expect(rewards.map((r) => [r.reason, r.payout_state])).toContainEqual(['rewarded', 'confirmed']);
    expect(rewards.some((r) => String(r.source).startsWith('sale:'))).toBe(true);
  });

  it('the map places vehicles at their GNSS fix and lists the meter that declared no location', async () => {
    const placed = await panel('gt-device-map', 'Devices');
    expect(placed.filter((r) => r.kind === 'vehicle').map((r) => r.position)).toEqual(['observed', 'observed']);
    expect(placed.every((r) => r.score >= 0 && r.score <= 1)).toBe(true);
    expect(placed.filter((r) => r.score_source === 'epoch quality')).toHaveLength(placed.length);
    const unplaced = await panel('gt-device-map', 'Devices without a position');
    expect(unplaced.map((r) => r.device_id)).toEqual([run.roles.unplaced]);
  });

  it('data quality shows the scored epoch and the backlog the ingest flagged as delayed', async () => {
    const bands = await panel('gt-data-quality', 'Score distribution (last epoch)');
    expect(bands.reduce((sum, b) => sum + Number(b.devices), 0)).toBe(run.roles.all.length);
    const flags = await panel('gt-data-quality', 'Flags by check (ingest)');
    expect(flags.some((row) => Number(row.delayed) > 0)).toBe(true);
    const reasons = await panel('gt-data-quality', 'Reason codes (last epoch)');
    expect(reasons.map((r) => r.reason)).toContain('LOCATION_UNDECLARED'); // the unplaced meter
  });

  it('rewards shows the epoch paid on chain and the suspended station’s sale credit held', async () => {
    const [last] = await panel('gt-rewards', 'Last closed epoch');
    expect(Number(last.epoch)).toBe(run.epoch.number);
    const states = await panel('gt-rewards', 'Payout states');
    expect(states.map((s) => s.state)).toEqual(['confirmed']);
    const held = await panel('gt-rewards', 'Held rewards by reason');
    expect(held.map((h) => h.reason)).toEqual(['held_suspended']);
    const confirmations = await panel('gt-rewards', 'Chain confirmations');
    const parts = await run.query(`SELECT parts FROM reward_epochs WHERE epoch = ${run.epoch.number}`);
    expect(confirmations.reduce((sum, r) => sum + Number(r.confirmed), 0)).toBe(parts.rows[0].parts);
    expect((await panel('gt-rewards', 'Top owners')).length).toBe(3); // the three owners' devices earned
  });
});

describe('shared SQL', () => {
  it('orders scoring algorithm versions newest first, by their numbers', async () => {
    const { rows } = await run.query(
      `SELECT version FROM (VALUES ('qod-1.9.0'), ('custom'), ('qod-1.10.0'), ('qod-0.9.12')) AS v (version)
       ORDER BY ${VERSIONS_NEWEST_FIRST}`,
    );
    expect(rows.map((r) => r.version)).toEqual(['qod-1.10.0', 'qod-1.9.0', 'qod-0.9.12', 'custom']);
  });
});

describe('PromQL against the running services', () => {
  const families = (text: string) => new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));
  const samples = () => Object.values(run.exposition).join('\n');
  const labelsOn = (metric: string): Set<string> | undefined => {
    const lines = [...samples().matchAll(new RegExp(`^${metric}\\{([^}]*)\\}`, 'gm'))];
    return lines.length === 0
      ? undefined
      : new Set(lines.flatMap((m) => [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!)));
  };

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
    expect(PROMQL.length).toBeGreaterThan(30);
    const unknown = PROMQL.flatMap(({ expr }) =>
      metricSelectors(expr)
        .filter((s) => !exported.has(s.name) && !SCRAPE_SERIES.includes(s.name))
        .map((s) => `${s.name} (in ${expr})`),
    );
    expect(unknown).toEqual([]);
  });

  it('every label a selector matches on appears on that metric’s samples after the run', () => {
    for (const selector of PROMQL.flatMap(({ expr }) => metricSelectors(expr))) {
      for (const label of selector.labels) {
        expect(labelsOn(selector.name), `${selector.name}{${label}}`).toContain(label);
      }
    }
  });

  it('every label a legend or a `by (...)` names is on the samples of a metric its expression reads', () => {
    const unlabelled: string[] = [];
    let checked = 0;
    for (const { expr, legend } of PROMQL) {
      const wanted = new Set([
        ...[...(legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!),
        ...[...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())),
      ]);
      const onSamples = metricSelectors(expr)
        .map((s) => labelsOn(s.name))
        .filter((labels): labels is Set<string> => labels !== undefined);
      if (onSamples.length === 0) {
        continue; // nothing observed yet (e.g. no RPC error happened): no samples to read labels from
      }
      for (const label of wanted) {
        if (label === 'le' || TARGET_LABELS.includes(label)) {
          continue;
        }
        checked++;
        if (!onSamples.some((labels) => labels.has(label))) {
          unlabelled.push(`${label} in ${expr}`);
        }
      }
    }
    expect(unlabelled).toEqual([]);
    expect(checked).toBeGreaterThan(20);
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
