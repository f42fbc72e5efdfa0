import { CHECK_COUNT, CHECKS } from './checks.js';
import { hourShare, type DeviceMeta } from './device-meta.js';
import { slots, type HourRollup } from './hour-rollup.js';
import { locationScore, type LocationOutcome, type ObservedHour } from './location-score.js';
import type { ScoringParams } from './params.js';
import { GENERAL_REASONS, type ReasonCode } from './reasons.js';
import { HOUR_MS } from './time.js';
import { variablesOf } from './variables.js';

export interface EpochInput {
  readonly meta: DeviceMeta;
  /** ms UTC; the epoch is [start, end) (days in production, minutes in a demo: any length works) */
  readonly start: number;
  readonly end: number;
  /** the device's rollups of the hours overlapping [start, end), computed for that window */
  readonly hours: readonly HourRollup[];
  /** observed positions of hours before `start` (relocation cooldown), stationary kinds */
  readonly history?: readonly ObservedHour[];
}

export interface CheckCost {
  readonly check: string;
  readonly reason: string;
  readonly about: string;
  /** quality lost to this check (0..1) */
  readonly cost: number;
  /** readings (or messages, for quarantine evidence) it flagged */
  readonly flagged: number;
}

export interface EpochBreakdown {
  readonly version: string;
  readonly status: DeviceMeta['status'];
  /** hours the device was expected to report in the epoch (fractional for epochs shorter than an hour) */
  readonly hours_expected: number;
  readonly hours_with_data: number;
  readonly readings: number;
  readonly readings_expected: number;
  readonly availability: number;
  /** quality as measured, before the device status is applied */
  readonly measured_quality: number;
  readonly variables: readonly {
    readonly name: string;
    readonly quality: number;
    readonly present: number;
    readonly valid: number;
  }[];
  /** quality lost to missing data */
  readonly missing_cost: number;
  /** checks that cost quality or found evidence, most costly first */
  readonly checks: readonly CheckCost[];
  readonly location: LocationOutcome;
}

export interface EpochScore {
  readonly device: string;
  readonly kind: DeviceMeta['kind'];
  readonly start: number;
  readonly end: number;
  readonly version: string;
  readonly quality: number;
  readonly locationScore: number;
  readonly availability: number;
  readonly reasons: readonly ReasonCode[];
  readonly breakdown: EpochBreakdown;
}

/** Scores are stored rounded to 6 decimals: what the API shows and the rewards manifest hashes. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * A device's epoch score from its hour rollups. quality = mean over the scored variables (required ones and any
 * reported) of the mean over the epoch's expected hours of valid/slots (WeatherXM: hourly per variable, daily
 * mean, station = mean of variables). Missing hours count 0. Each check's cost is the quality it took. An hour
 * only partly inside the epoch (or after the registration) weighs its share of an hour.
 */
export function scoreEpoch(input: EpochInput, params: ScoringParams): EpochScore {
  const { meta, start, end } = input;
  const hours = [...input.hours]
    .filter((h) => h.hour + HOUR_MS > start && h.hour < end)
    .sort((a, b) => a.hour - b.hour);
  const names = variablesOf(meta.kind);
  const withData = new Set(hours.map((h) => h.hour));
  const weight = new Map<number, number>();
  let hoursExpected = 0;
  for (let h = Math.floor(start / HOUR_MS) * HOUR_MS; h < end; h += HOUR_MS) {
    // as in the rollups: the share after registration (an hour with data before it counts for its window share)
    const registered = hourShare(h, start, end, meta.registeredAt);
    const share = registered === 0 && withData.has(h) ? hourShare(h, start, end) : registered;
    weight.set(h, share);
    hoursExpected += share;
  }
  const w = (h: HourRollup) => weight.get(h.hour) ?? 0;
  const required = new Set(params.required[meta.kind]);
  const scored = names.map((name, v) => required.has(name) || hours.some((h) => h.present[v]! > 0));
  const varCount = scored.filter(Boolean).length;
  const variables = names.map((name, v) => {
    let sum = 0;
    let present = 0;
    let valid = 0;
    for (const h of hours) {
      present += h.present[v]!;
      valid += h.valid[v]!;
      const d = slots(h, h.present[v]!);
      sum += d > 0 ? (h.valid[v]! / d) * w(h) : 0;
    }
    return { name, quality: hoursExpected > 0 ? sum / hoursExpected : 0, present, valid };
  });
  let qualitySum = 0;
  variables.forEach((variable, v) => {
    qualitySum += scored[v] ? variable.quality : 0;
  });
  const measured = varCount > 0 ? qualitySum / varCount : 0;
  const denominator = varCount * hoursExpected;
  let readings = 0;
  let counted = 0;
  for (const h of hours) {
    readings += h.n;
    counted += Math.min(h.n, h.expected);
  }
  const perHour = 3600 / meta.intervalS;
  const readingsExpected = hoursExpected * perHour;
  const availability = readingsExpected > 0 ? counted / readingsExpected : 0;
  const checks: CheckCost[] = [];
  let checkCostSum = 0;
  for (let c = 0; c < CHECK_COUNT; c++) {
    let loss = 0;
    let flagged = 0;
    for (const h of hours) {
      loss += h.loss[c]! * w(h);
      flagged += h.fail[c]!;
    }
    const cost = denominator > 0 ? loss / denominator : 0;
    checkCostSum += cost;
    if (cost > 0 || flagged > 0) {
      const { id, reason, about } = CHECKS[c]!;
      checks.push({ check: id, reason, about, cost: round6(cost), flagged });
    }
  }
  checks.sort((a, b) => b.cost - a.cost || CHECK_INDEX.get(a.check)! - CHECK_INDEX.get(b.check)!);
  const location = locationScore(meta, hours, input.history ?? [], params);
  const quality = meta.status === 'active' ? measured : 0;
  return {
    device: meta.device,
    kind: meta.kind,
    start,
    end,
    version: params.version,
    quality: round6(quality),
    locationScore: round6(location.score),
    availability: round6(availability),
    reasons: reasonsFor(meta, { readings, availability, measured, checks, location }, params),
    breakdown: {
      version: params.version,
      status: meta.status,
      hours_expected: round6(hoursExpected),
      hours_with_data: hours.filter((h) => h.n > 0).length,
      readings,
      readings_expected: round6(readingsExpected),
      availability: round6(availability),
      measured_quality: round6(measured),
      variables: variables
        .filter((_, v) => scored[v])
        .map((variable) => ({ ...variable, quality: round6(variable.quality) })),
      missing_cost: round6(Math.max(0, 1 - measured - checkCostSum)),
      checks,
      location: { ...location, score: round6(location.score) },
    },
  };
}

const CHECK_INDEX = new Map(CHECKS.map((check, index) => [check.id as string, index]));

interface ReasonFacts {
  readonly readings: number;
  readonly availability: number;
  readonly measured: number;
  readonly checks: readonly CheckCost[];
  readonly location: LocationOutcome;
}

function reasonsFor(meta: DeviceMeta, facts: ReasonFacts, params: ScoringParams): ReasonCode[] {
  const general = new Set<ReasonCode>();
  if (meta.status === 'suspended') {
    general.add('SUSPENDED');
  } else if (meta.status === 'revoked') {
    general.add('REVOKED');
  }
  if (facts.readings === 0) {
    general.add('NO_DATA');
  } else if (facts.availability < params.minAvailability) {
    general.add('LOW_AVAILABILITY');
  }
  if (facts.measured < params.qualityThreshold) {
    general.add('QUALITY_BELOW_THRESHOLD');
  }
  const location = facts.location;
  if (location.status === 'undeclared') {
    general.add('LOCATION_UNDECLARED');
  } else if (location.status === 'unverified' && location.score < 1) {
    general.add('LOCATION_UNVERIFIED');
  }
  if (location.relocatedAt !== undefined && location.cooldownUntil !== undefined) {
    general.add('RELOCATED');
  }
  const reasons: ReasonCode[] = GENERAL_REASONS.filter((reason) => general.has(reason));
  for (const cost of facts.checks) {
    const scope = CHECKS[CHECK_INDEX.get(cost.check)!]!.scope;
    const relevant =
      scope === 'info'
        ? cost.flagged > 0
        : scope === 'location'
          ? cost.check === 'clone'
            ? location.status === 'cloned'
            : location.hoursVerified < location.hoursObserved && location.status !== 'cloned'
          : cost.cost >= params.reasonMinCost || cost.flagged >= params.reasonMinFlagged;
    if (relevant && !reasons.includes(cost.reason as ReasonCode)) {
      reasons.push(cost.reason as ReasonCode);
    }
  }
  if (location.status === 'cloned' && !reasons.includes('CLONED_KEY_SUSPECTED')) {
    reasons.push('CLONED_KEY_SUSPECTED');
  }
  return reasons;
}
