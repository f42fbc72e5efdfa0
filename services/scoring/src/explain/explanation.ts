import type { HardwareKind } from '@groundtruth/protocol';
import { CHECKS } from '../core/checks.js';
import type { CheckCost, EpochBreakdown } from '../core/epoch.js';
import type { Example } from '../core/examples.js';
import { reasonMeaning } from './reason-meaning.js';

/** A stored reading as an example shows it: when it was taken and received, and what it said. */
export interface ReadingValues {
  readonly received_at: string;
  readonly location?: { readonly lat: number; readonly lon: number };
  readonly values: Readonly<Record<string, number>>;
}

export type ExampleView =
  | {
      readonly check: string;
      readonly at: string;
      readonly seq: number;
      /** every check that flagged this reading */
      readonly checks: readonly string[];
      /** the variables they implicated */
      readonly variables: readonly string[];
      /** the stored reading (absent when it is no longer stored) */
      readonly reading?: ReadingValues;
    }
  | { readonly check: string; readonly hour: string; readonly detail: unknown };

export interface CostlyCheck {
  readonly check: string;
  readonly reason: string;
  readonly about: string;
  /** quality lost to it (0..1) */
  readonly cost: number;
  /** readings (messages, for quarantine evidence; values, for hour-level checks) it flagged */
  readonly flagged: number;
  /** one line for people */
  readonly detail: string;
  readonly examples: readonly ExampleView[];
}

/** The score of one device and epoch as stored, with what the explanation needs besides. */
export interface ExplainInput {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly epoch: number;
  readonly start: number;
  readonly end: number;
  readonly version: string;
  readonly quality: number;
  readonly locationScore: number;
  readonly availability: number;
  readonly reasons: readonly string[];
  readonly breakdown: EpochBreakdown;
  readonly examples: readonly Example[];
  readonly scoredAt: string;
  readonly runId: number | null;
  /** the stored readings of the examples, by `seq:ts` */
  readonly readings: ReadonlyMap<string, ReadingValues>;
  /** other algorithm versions this epoch of the device was scored with */
  readonly otherVersions: readonly { readonly version: string; readonly quality: number; readonly scoredAt: string }[];
}

export interface QualityExplanation {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly epoch: number;
  readonly start: string;
  readonly end: string;
  readonly version: string;
  readonly quality: number;
  readonly location_score: number;
  readonly availability: number;
  readonly reasons: readonly string[];
  readonly reason_details: readonly { readonly code: string; readonly meaning: string }[];
  /** "why did my device score 0.62?" in one paragraph */
  readonly summary: string;
  /** what cost the most quality, most costly first: checks, missing data and the device status */
  readonly costliest: readonly CostlyCheck[];
  readonly breakdown: EpochBreakdown;
  readonly other_versions: ExplainInput['otherVersions'];
  readonly run_id: number | null;
  readonly scored_at: string;
}

export const exampleKey = (seq: number, ts: number): string => `${seq}:${ts}`;

const fixed = (x: number): string => x.toFixed(3);

const SCOPE = new Map<string, string>(CHECKS.map((check) => [check.id, check.scope]));

function checkDetail(check: CheckCost): string {
  const scope = SCOPE.get(check.check);
  if (scope === 'info') {
    return `${check.about}: ${check.flagged} found (evidence, no quality cost)`;
  }
  if (scope === 'location') {
    return `${check.about}: ${check.flagged} flagged (counts against the location score)`;
  }
  return `${check.about}: ${check.flagged} flagged, cost ${fixed(check.cost)}`;
}

function exampleView(example: Example, readings: ExplainInput['readings']): ExampleView {
  if ('hour' in example) {
    return { check: example.check, hour: new Date(example.hour).toISOString(), detail: example.detail };
  }
  const reading = readings.get(exampleKey(example.seq, example.ts));
  return {
    check: example.check,
    at: new Date(example.ts).toISOString(),
    seq: example.seq,
    checks: example.checks,
    variables: example.variables,
    ...(reading ? { reading } : {}),
  };
}

/**
 * Everything that took quality, most costly first: the checks of the breakdown, the readings that never came
 * (`missing_data`) and a suspension or revocation (`status`, which takes what was left). Checks that only found
 * evidence (no cost) follow the costly ones, so quarantined messages or location findings still show.
 */
export function costliestChecks(input: ExplainInput, top: number): CostlyCheck[] {
  const b = input.breakdown;
  const all: CostlyCheck[] = b.checks.map((check) => ({
    check: check.check,
    reason: check.reason,
    about: check.about,
    cost: check.cost,
    flagged: check.flagged,
    detail: checkDetail(check),
    examples: input.examples.filter((e) => e.check === check.check).map((e) => exampleView(e, input.readings)),
  }));
  if (b.missing_cost > 0) {
    const missing = Math.max(0, Math.round(b.readings_expected - b.readings));
    all.push({
      check: 'missing_data',
      reason: b.readings === 0 ? 'NO_DATA' : 'LOW_AVAILABILITY',
      about: 'readings expected at the declared interval that did not arrive',
      cost: b.missing_cost,
      flagged: missing,
      detail: `${b.readings} of ${Math.round(b.readings_expected)} expected readings arrived (availability ${fixed(b.availability)}), cost ${fixed(b.missing_cost)}`,
      examples: [],
    });
  }
  if (b.status !== 'active' && b.measured_quality > 0) {
    all.push({
      check: 'status',
      reason: b.status === 'suspended' ? 'SUSPENDED' : 'REVOKED',
      about: `the device was ${b.status}`,
      cost: b.measured_quality,
      flagged: 0,
      detail: `the device was ${b.status}: the measured quality ${fixed(b.measured_quality)} counts as 0`,
      examples: [],
    });
  }
  // stable: costly first by cost, then evidence-only entries in breakdown order
  const indexed = all.map((c, i) => ({ c, i }));
  indexed.sort((x, y) => y.c.cost - x.c.cost || x.i - y.i);
  return indexed.slice(0, top).map(({ c }) => c);
}

/** One paragraph: the score, what cost the most, and the location score. */
export function summarize(input: ExplainInput, costliest: readonly CostlyCheck[]): string {
  const head = `quality ${fixed(input.quality)} of 1 in epoch ${input.epoch} (algorithm ${input.version})`;
  const costs = costliest
    .filter((c) => c.cost > 0)
    .map((c) => `${fixed(c.cost)} lost to ${c.check === 'missing_data' ? 'missing readings' : c.check} (${c.reason})`);
  const b = input.breakdown;
  const location = `location score ${fixed(input.locationScore)} (${b.location.status})`;
  if (costs.length === 0) {
    return `${head}: nothing cost quality; ${location}.`;
  }
  return `${head}: ${costs.join('; ')}; ${location}.`;
}

/** The answer to "why did my device score 0.62?" for one stored score. */
export function explainScore(input: ExplainInput, options: { top?: number } = {}): QualityExplanation {
  const costliest = costliestChecks(input, options.top ?? 3);
  return {
    device: input.device,
    kind: input.kind,
    epoch: input.epoch,
    start: new Date(input.start).toISOString(),
    end: new Date(input.end).toISOString(),
    version: input.version,
    quality: input.quality,
    location_score: input.locationScore,
    availability: input.availability,
    reasons: input.reasons,
    reason_details: input.reasons.map((code) => ({ code, meaning: reasonMeaning(code) })),
    summary: summarize(input, costliest),
    costliest,
    breakdown: input.breakdown,
    other_versions: input.otherVersions,
    run_id: input.runId,
    scored_at: input.scoredAt,
  };
}
