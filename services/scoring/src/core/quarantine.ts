import { CHECK_COUNT, C } from './checks.js';
import { expectedPerHour, type DeviceMeta } from './device-meta.js';
import type { HourRollup } from './hour-rollup.js';
import type { ScoringParams } from './params.js';
import { variablesOf } from './variables.js';

/** Quarantined messages of a device in one hour (by receive time), per quarantine reason code. */
export type QuarantineCounts = Readonly<Record<string, number>>;

/**
 * A rollup for an hour in which nothing of the device was stored (so quarantine evidence has somewhere to go);
 * `share` is the part of the hour inside the scored window (see {@link hourShare}).
 */
export function emptyRollup(meta: DeviceMeta, hour: number, share = 1): HourRollup {
  const vars = variablesOf(meta.kind).length;
  return {
    device: meta.device,
    kind: meta.kind,
    hour,
    n: 0,
    expected: expectedPerHour(meta) * share,
    flagged: 0,
    seqGaps: 0,
    present: new Array<number>(vars).fill(0),
    valid: new Array<number>(vars).fill(0),
    mean: new Array<number>(vars).fill(Number.NaN),
    fail: new Array<number>(CHECK_COUNT).fill(0),
    loss: new Array<number>(CHECK_COUNT).fill(0),
    obsN: 0,
    obsLat: Number.NaN,
    obsLon: Number.NaN,
    locMismatch: 0,
    clockLagMinS: Number.NaN,
    solarIndex: Number.NaN,
    hourFlags: 0,
    detail: null,
    trend: {},
  };
}

/**
 * Quarantine evidence (messages the ingest refused) as hour-level checks: bad signatures or proofs count for
 * `integrity`, rewound sequence numbers for `replay`, a seq signed twice with different content for `clone`
 * (only a second holder of the key can sign), timestamps too far ahead or too old for `clock_skew`. Nothing
 * stored is invalidated by them (what was refused is missing, which availability counts).
 */
export function applyQuarantine(rollup: HourRollup, counts: QuarantineCounts, params: ScoringParams): void {
  for (const [check, reasons] of [
    [C.integrity, params.quarantine.integrity],
    [C.replay, params.quarantine.replay],
    [C.clock_skew, params.quarantine.clock_skew],
    [C.clone, params.quarantine.clone],
  ] as const) {
    let total = 0;
    for (const reason of reasons) {
      total += counts[reason] ?? 0;
    }
    if (total > 0) {
      rollup.fail[check]! += total;
      rollup.hourFlags |= 1 << check;
    }
  }
}
