/**
 * Everything `npm run dashboards` writes, as data: dashboard JSON by uid, provisioning YAML, and the SQL each
 * uses (for the integration test). Pure: the same input gives byte-identical output.
 */
import type { DashboardBuilder, Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alertRulesFile, alertRulesYaml, type AlertRulesFile } from './alerts.js';
import { allPanels, finalize, SqlCatalogue, type SqlCheck } from './common.js';
import { DATA_QUALITY_UID, dataQuality } from './dashboards/data-quality.js';
import { DEVICE_UID, deviceDrilldown } from './dashboards/device-drilldown.js';
import { DEVICE_MAP_UID, deviceMap } from './dashboards/device-map.js';
import { NETWORK_HEALTH_UID, networkHealth } from './dashboards/network-health.js';
import { REWARDS_UID, rewards } from './dashboards/rewards.js';
import { SERVICES_UID, services } from './dashboards/services.js';
import { dashboardProviderYaml, datasourcesYaml } from './provisioning.js';

export interface DashboardModule {
  readonly uid: string;
  readonly build: (q: SqlCatalogue) => DashboardBuilder;
}

export const DASHBOARD_MODULES: readonly DashboardModule[] = [
  { uid: NETWORK_HEALTH_UID, build: networkHealth },
  { uid: DATA_QUALITY_UID, build: dataQuality },
  { uid: REWARDS_UID, build: rewards },
  { uid: DEVICE_MAP_UID, build: deviceMap },
  { uid: DEVICE_UID, build: deviceDrilldown },
  { uid: SERVICES_UID, build: services },
];

export interface BuiltDashboard {
  readonly uid: string;
  readonly dashboard: Dashboard;
  readonly sql: readonly SqlCheck[];
}

export class GenerateError extends Error {
  override readonly name = 'GenerateError';
}

export function buildDashboards(): BuiltDashboard[] {
  return DASHBOARD_MODULES.map((module) => {
    const q = new SqlCatalogue();
    const dashboard = finalize(module.build(q).build());
    if (dashboard.uid !== module.uid) {
      throw new GenerateError(`module ${module.uid} built a dashboard with uid ${dashboard.uid}`);
    }
    return { uid: module.uid, dashboard, sql: q.checks };
  });
}

export interface Generated {
  /** path relative to dashboards/ → file content */
  readonly files: ReadonlyMap<string, string>;
  readonly dashboards: readonly BuiltDashboard[];
  /** the alert rules file, as written to provisioning/alerting/groundtruth.yaml */
  readonly alerts: AlertRulesFile;
  /** SQL of the alert rules */
  readonly alertSql: readonly SqlCheck[];
}

export function generate(): Generated {
  const dashboards = buildDashboards();
  const panelId = (uid: string, title: string): number => {
    const panel = allPanels(
      dashboards.find((d) => d.uid === uid)?.dashboard ?? { schemaVersion: 0, templating: {}, annotations: {} },
    ).find((p) => p.title === title);
    if (panel?.id === undefined) {
      throw new GenerateError(`no panel "${title}" in dashboard ${uid}`);
    }
    return panel.id;
  };
  const alerts = new SqlCatalogue();
  const files = new Map<string, string>();
  for (const { uid, dashboard } of dashboards) {
    files.set(`build/${uid}.json`, `${JSON.stringify(dashboard, null, 2)}\n`);
  }
  files.set('provisioning/datasources/groundtruth.yaml', datasourcesYaml());
  files.set('provisioning/dashboards/groundtruth.yaml', dashboardProviderYaml());
  const rules = alertRulesFile(alerts, panelId);
  files.set('provisioning/alerting/groundtruth.yaml', alertRulesYaml(rules));
  return { files, dashboards, alerts: rules, alertSql: alerts.checks };
}
