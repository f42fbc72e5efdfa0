/**
 * Grafana-managed alert rules, built with the SDK's alerting builders and written in Grafana's file-provisioning
 * format (`provisioning/alerting/*.yaml`). Each rule: A = the query, B = reduce(last), C = threshold on B.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { QueryBuilder, RuleBuilder, type Rule } from '@grafana/grafana-foundation-sdk/alerting';
import { TypeReduceBuilder, TypeThresholdBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { DataqueryBuilder as PromQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { POSTGRES, PROMETHEUS, type SqlCatalogue, type SqlSpec } from './common.js';
import { BRIDGE, INGEST } from './metrics.js';
import { FOLDER } from './provisioning.js';
import { ONLINE } from './sql.js';
import { toYaml, type YamlValue } from './yaml.js';

export const ALERT_GROUP = 'groundtruth';

type Evaluator = 'gt' | 'lt';

interface RuleSpec {
  readonly uid: string;
  readonly title: string;
  readonly summary: string;
  readonly description: string;
  readonly severity: 'critical' | 'warning';
  readonly for: string;
  readonly query: { readonly promql: string } | { readonly sql: SqlSpec };
  readonly evaluator: Evaluator;
  readonly threshold: number;
  /** what "no data" means for this rule */
  readonly noData: 'OK' | 'Alerting' | 'NoData';
  /** the panel the alert links to: dashboard uid and panel title */
  readonly panel?: { readonly dashboard: string; readonly title: string };
}

const RELATIVE = { from: 600, to: 0 };

/** A cog builder around an already-built model (the SQL target). */
const built = <T extends cog.Dataquery>(model: T): cog.Builder<cog.Dataquery> => ({ build: () => model });

function ruleOf(spec: RuleSpec, q: SqlCatalogue): Rule {
  const model =
    'promql' in spec.query
      ? new PromQueryBuilder()
          .datasource({ ...PROMETHEUS })
          .expr(spec.query.promql)
          .instant()
          .refId('A')
      : built({ ...q.alert(spec.query.sql), refId: 'A' });
  const source = 'promql' in spec.query ? PROMETHEUS.uid : POSTGRES.uid;
  return new RuleBuilder(spec.title)
    .uid(spec.uid)
    .condition('C')
    .withQuery(new QueryBuilder('A').datasourceUid(source).relativeTimeRange(RELATIVE).model(model))
    .withQuery(
      new QueryBuilder('B')
        .datasourceUid('__expr__')
        .model(new TypeReduceBuilder().refId('B').expression('A').reducer('last').settings({ mode: 'dropNN' })),
    )
    .withQuery(
      new QueryBuilder('C').datasourceUid('__expr__').model(
        new TypeThresholdBuilder()
          .refId('C')
          .expression('B')
          .conditions([{ evaluator: { type: spec.evaluator, params: [spec.threshold] } }]),
      ),
    )
    .forDuration(spec.for)
    .noDataState(spec.noData)
    .execErrState('Error')
    .labels({ severity: spec.severity, team: 'groundtruth' })
    .annotations({ summary: spec.summary, description: spec.description })
    .build();
}

const rejected = `sum(rate(${INGEST.rejected}[10m]))`;
const accepted = `sum(rate(${INGEST.readingsAccepted}[10m]))`;

export const RULES: readonly RuleSpec[] = [
  {
    uid: 'gt-ingest-stalled',
    title: 'Ingest stalled',
    summary: 'No reading has been committed for 10 minutes.',
    description:
      'The ingest accepts nothing: broker unreachable, database down, or the ingest paused for backpressure.',
    severity: 'critical',
    for: '5m',
    query: { promql: `sum(rate(${INGEST.readingsAccepted}[5m]))` },
    evaluator: 'lt',
    threshold: 1e-6,
    noData: 'Alerting', // no ingest scraped at all is a stall too
    panel: { dashboard: 'gt-network-health', title: 'Ingest rate' },
  },
  {
    uid: 'gt-reject-ratio-high',
    title: 'Reject ratio high',
    summary: 'More than 20 % of messages and readings are quarantined.',
    description: 'See "Rejects by reason": bad signatures, unknown devices, replays or rate limiting.',
    severity: 'warning',
    for: '10m',
    query: { promql: `${rejected} / clamp_min(${rejected} + ${accepted}, 1e-9)` },
    evaluator: 'gt',
    threshold: 0.2,
    noData: 'OK',
    panel: { dashboard: 'gt-network-health', title: 'Rejects by reason' },
  },
  {
    uid: 'gt-devices-offline',
    title: 'Share of devices offline',
    summary: 'More than 25 % of active devices have been silent for three of their intervals.',
    description: 'A regional outage, a broker problem, or a fleet firmware issue.',
    severity: 'warning',
    for: '15m',
    query: {
      sql: {
        format: 'table',
        sql: `SELECT coalesce(count(*) FILTER (WHERE NOT coalesce(${ONLINE}, false))::double precision / nullif(count(*), 0), 0)
  AS offline_share
FROM devices d LEFT JOIN device_state s USING (device_id)
WHERE d.status = 'active'`,
        columns: { offline_share: 'number' },
      },
    },
    evaluator: 'gt',
    threshold: 0.25,
    noData: 'OK',
    panel: { dashboard: 'gt-network-health', title: 'Devices online' },
  },
  {
    uid: 'gt-payouts-failing',
    title: 'Payouts failing',
    summary: 'Payout transactions keep failing or a closed epoch has stayed unpaid for an hour.',
    description: 'See "Payout transactions": RPC errors, expired blockhashes or an empty fee payer.',
    severity: 'critical',
    for: '15m',
    query: {
      sql: {
        format: 'table',
        sql: `SELECT (SELECT count(*) FROM reward_payout_txs WHERE state <> 'confirmed' AND errors > 0)
  + (SELECT count(*) FROM reward_epochs WHERE payout_state = 'pending' AND closed_at < now() - interval '1 hour')
  AS failing`,
        columns: { failing: 'number' },
      },
    },
    evaluator: 'gt',
    threshold: 0,
    noData: 'OK',
    panel: { dashboard: 'gt-rewards', title: 'Payout transactions' },
  },
  {
    uid: 'gt-scoring-behind',
    title: 'Scoring behind',
    summary: 'The scoring job has not rolled up the last three closed hours.',
    description:
      'Rewards close an epoch only once it is scored: check the scoring service, its database access and its logs.',
    severity: 'warning',
    for: '30m',
    query: {
      sql: {
        format: 'table',
        sql: `SELECT coalesce(extract(epoch from now() - max(scored_until)) / 3600, 0)::double precision AS hours_behind
FROM scoring_progress`,
        columns: { hours_behind: 'number' },
      },
    },
    evaluator: 'gt',
    threshold: 3,
    noData: 'OK',
    panel: { dashboard: 'gt-data-quality', title: 'Scoring runs' },
  },
  {
    uid: 'gt-bridge-queue-failing',
    title: 'Bridge queue cannot write',
    summary: 'A device bridge has been unable to write its durable queue for 5 minutes.',
    description:
      'Its readings are not durable and new samples are refused: a full or failing disk on the box next to the sensor (see the bridge\u2019s status, QUEUE_WRITE_FAILED).',
    severity: 'warning',
    for: '5m',
    query: { promql: `sum(${BRIDGE.queueFailing})` },
    evaluator: 'gt',
    threshold: 0,
    noData: 'OK', // no bridge reports /metrics: nothing to say
    panel: { dashboard: 'gt-services', title: 'Bridge rejects and losses' },
  },
];

/** One rule of Grafana's alerting file-provisioning format (`provisioning/alerting/*.yaml`). */
export interface ProvisionedRule {
  readonly uid: string;
  readonly title: string;
  readonly condition: string;
  /** the SDK's `alerting.Query` list, as JSON */
  readonly data: YamlValue[];
  readonly dashboardUid?: string;
  readonly panelId?: number;
  readonly noDataState: Rule['noDataState'];
  readonly execErrState: Rule['execErrState'];
  readonly for: string;
  readonly annotations: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly isPaused: boolean;
}

export interface AlertRulesFile {
  readonly apiVersion: 1;
  readonly groups: readonly {
    readonly orgId: number;
    readonly name: string;
    readonly folder: string;
    readonly interval: string;
    readonly rules: readonly ProvisionedRule[];
  }[];
}

/** The rule group as Grafana's provisioning file wants it; panel ids resolved by `panelId(dashboard, title)`. */
export function alertRulesFile(q: SqlCatalogue, panelId: (dashboard: string, title: string) => number): AlertRulesFile {
  const rules = RULES.map((spec): ProvisionedRule => {
    const rule = ruleOf(spec, q);
    const data = rule.data.map((d) => JSON.parse(JSON.stringify(d)) as YamlValue);
    return {
      uid: rule.uid!,
      title: rule.title,
      condition: rule.condition,
      data,
      ...(spec.panel
        ? { dashboardUid: spec.panel.dashboard, panelId: panelId(spec.panel.dashboard, spec.panel.title) }
        : {}),
      noDataState: rule.noDataState,
      execErrState: rule.execErrState,
      for: rule.for,
      annotations: { ...rule.annotations },
      labels: { ...rule.labels },
      isPaused: false,
    };
  });
  return { apiVersion: 1, groups: [{ orgId: 1, name: ALERT_GROUP, folder: FOLDER.title, interval: '1m', rules }] };
}

export function alertRulesYaml(file: AlertRulesFile): string {
  return toYaml(file as unknown as { readonly [key: string]: YamlValue }, [
    'GroundTruth alert rules. Generated by `npm run dashboards` from dashboards/src/alerts.ts; do not edit by hand.',
  ]);
}
