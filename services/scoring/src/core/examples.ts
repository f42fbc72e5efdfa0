import type { HardwareKind } from '@groundtruth/protocol';
import { C, checkNames } from './checks.js';
import type { FlaggedReading } from './device-pass.js';
import type { EpochScore } from './epoch.js';
import type { HourRollup } from './hour-rollup.js';
import { variablesOf } from './variables.js';

export type Example =
  | {
      readonly check: string;
      readonly ts: number;
      readonly seq: number;
      readonly checks: readonly string[];
      readonly variables: readonly string[];
    }
  | { readonly check: string; readonly hour: number; readonly detail: unknown };

/**
 * A few examples for each of the checks that cost the most (or found evidence): readings spread over the epoch
 * for per-reading checks, hours with what was compared for hour-level ones. Deterministic (time order).
 */
export function pickExamples(
  score: EpochScore,
  kind: HardwareKind,
  flagged: readonly FlaggedReading[],
  hours: readonly HourRollup[],
  options: { checks?: number; perCheck?: number } = {},
): Example[] {
  const topChecks = options.checks ?? 3;
  const perCheck = options.perCheck ?? 3;
  const names = variablesOf(kind);
  const examples: Example[] = [];
  const sortedHours = [...hours].sort((a, b) => a.hour - b.hour);
  for (const cost of score.breakdown.checks.filter((c) => c.flagged > 0).slice(0, topChecks)) {
    const c = C[cost.check as keyof typeof C];
    const hourLevel = sortedHours.filter((h) => (h.hourFlags >>> c) & 1);
    if (hourLevel.length > 0) {
      for (const h of spread(hourLevel, perCheck)) {
        examples.push({ check: cost.check, hour: h.hour, detail: detailFor(cost.check, h) });
      }
      continue;
    }
    const readings = flagged.filter((f) => (f.flags >>> c) & 1);
    for (const f of spread(readings, perCheck)) {
      examples.push({
        check: cost.check,
        ts: f.ts,
        seq: f.seq,
        checks: checkNames(f.flags),
        variables: names.filter((_, v) => (f.vars >>> v) & 1),
      });
    }
  }
  return examples;
}

/** Up to `count` items evenly spread over the list (first and last included). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) {
    return [...items];
  }
  const out: T[] = [];
  for (let k = 0; k < count; k++) {
    out.push(items[Math.round((k * (items.length - 1)) / (count - 1))]!);
  }
  return out;
}

function detailFor(check: string, h: HourRollup): unknown {
  if (!h.detail) {
    return { failed: h.fail[C[check as keyof typeof C]] };
  }
  const picked = Object.entries(h.detail).filter(([key]) => key === check || key.startsWith(`${check}.`));
  return picked.length > 0 ? Object.fromEntries(picked) : { failed: h.fail[C[check as keyof typeof C]] };
}
