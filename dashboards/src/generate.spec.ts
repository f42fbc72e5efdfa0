import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { RULES } from './alerts.js';
import { allPanels, POSTGRES, PROMETHEUS } from './common.js';
import { generate } from './generate.js';
import { METRICS_BY_SERVICE, SCRAPE_SERIES } from './metrics.js';
import { metricNames } from './promql-names.js';

const generated = generate();
const KNOWN_SOURCES = new Set<string>([POSTGRES.uid, PROMETHEUS.uid]);

type Target = { refId?: string; datasource?: { uid?: string; type?: string }; rawSql?: string; expr?: string };
const targetsOf = (panel: Panel): Target[] => (panel.targets ?? []) as unknown as Target[];

function overlaps(a: Panel, b: Panel): boolean {
  const [p, q] = [a.gridPos!, b.gridPos!];
  return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
}

describe('generated dashboards', () => {
  it('has the dashboards the issue asks for, with stable uids', () => {
    expect(generated.dashboards.map((d) => d.uid)).toEqual([
      'gt-network-health',
      'gt-data-quality',
      'gt-rewards',
      'gt-device-map',
      'gt-device',
      'gt-services',
    ]);
    expect([...generated.files.keys()].sort()).toEqual([
      ...generated.dashboards.map((d) => `build/${d.uid}.json`).sort(),
      'provisioning/alerting/groundtruth.yaml',
      'provisioning/dashboards/groundtruth.yaml',
      'provisioning/datasources/groundtruth.yaml',
    ]);
  });

  it('is reproducible: a second build is byte-identical', () => {
    expect(generate().files).toEqual(generated.files);
  });

  describe.each(generated.dashboards.map((d) => [d.uid, d.dashboard] as const))('%s', (uid, dashboard: Dashboard) => {
    const panels = allPanels(dashboard).filter((p) => p.type !== 'row');

    it('has the required dashboard fields', () => {
      expect(dashboard.uid).toBe(uid);
      expect(uid.length).toBeLessThanOrEqual(40);
      expect(dashboard.title).toMatch(/^GroundTruth · /);
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(dashboard.editable).toBe(false);
      expect(panels.length).toBeGreaterThan(0);
    });

    it('gives every panel a unique id, a title, a description and a place on the 24-column grid', () => {
      const ids = allPanels(dashboard).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.title, `panel ${panel.id}`).toBeTruthy();
        expect(panel.description, panel.title).toBeTruthy();
        const { x, y, w, h } = panel.gridPos!;
        expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, panel.title).toBe(true);
      }
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          expect(overlaps(a, b), `${a.title} overlaps ${b.title}`).toBe(false);
        }
      }
    });

    it('queries one known data source per panel, each target with a refId and a query', () => {
      for (const panel of panels) {
        expect(KNOWN_SOURCES.has(panel.datasource?.uid ?? ''), panel.title).toBe(true);
        const targets = targetsOf(panel);
        expect(targets.length, panel.title).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
        for (const target of targets) {
          expect(target.datasource, panel.title).toEqual(panel.datasource);
          expect(target.datasource?.uid === POSTGRES.uid ? target.rawSql : target.expr, panel.title).toBeTruthy();
        }
      }
    });
  });

  it('records the expected columns of every SQL text in the JSON, and nothing else', () => {
    for (const { uid, dashboard, sql } of generated.dashboards) {
      const inJson = [
        ...allPanels(dashboard).flatMap((p) => targetsOf(p).flatMap((t) => (t.rawSql ? [t.rawSql] : []))),
        ...(dashboard.templating.list ?? []).flatMap((v) =>
          v.datasource?.uid === POSTGRES.uid ? [String(v.query)] : [],
        ),
      ].sort();
      expect(sql.map((c) => c.sql).sort(), uid).toEqual(inJson);
      for (const check of sql) {
        expect(Object.keys(check.columns).length, check.sql).toBeGreaterThan(0);
        if (check.format === 'time_series') {
          expect(Object.entries(check.columns)[0], check.sql).toEqual(['time', 'time']);
        }
      }
    }
  });
});

describe('metric names', () => {
  const catalogue = new Set<string>(
    Object.values(METRICS_BY_SERVICE)
      .flatMap((names) => Object.values(names))
      .flatMap((n: string) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]),
  );

  it('takes every metric a PromQL expression reads from metrics.ts', () => {
    const exprs = [
      ...generated.dashboards.flatMap((d) =>
        allPanels(d.dashboard).flatMap((p) => targetsOf(p).flatMap((t) => (t.expr ? [t.expr] : []))),
      ),
      ...RULES.flatMap((r) => ('promql' in r.query ? [r.query.promql] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    for (const expr of exprs) {
      for (const name of metricNames(expr)) {
        expect(catalogue.has(name) || SCRAPE_SERIES.includes(name), `${name} in ${expr}`).toBe(true);
      }
    }
  });

  it('names every metric with the gt_ prefix and lists each under the service that exports it', () => {
    for (const [service, names] of Object.entries(METRICS_BY_SERVICE)) {
      for (const name of Object.values(names)) {
        expect(name, service).toMatch(/^gt_[a-z0-9_]+$/);
      }
    }
  });
});
