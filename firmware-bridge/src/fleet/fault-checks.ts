/**
 * Which quality check of the network should flag a device with a given injected fault: the ground truth a
 * test (or a detection benchmark) compares scoring against. Check ids and reason codes are those of
 * services/scoring/src/core/checks.ts (`CHECKS[i].id` / `.reason`) and its general reasons; the bridge does
 * not import the scoring service, so they are spelled out here and must follow it.
 */
import type { HardwareKind } from '@groundtruth/protocol';
import type { BridgeFault, FaultType, SignalFault } from '../simulation/faults.js';
import type { FaultPlan } from '../simulation/signal-faults.js';

/** What should flag one fault: scoring check ids (any of them counts as a detection) and epoch reason codes. */
export interface FaultExpectation {
  readonly fault: FaultType;
  readonly checks: readonly string[];
  readonly reasons: readonly string[];
}

const CHECK_REASON: Readonly<Record<string, string>> = {
  clock_skew: 'CLOCK_SKEW',
  jump: 'JUMPS',
  stuck: 'STUCK_VALUES',
  teleport: 'TELEPORT',
  speed_mismatch: 'SPEED_MISMATCH',
  voltage: 'VOLTAGE',
  location: 'LOCATION_MISMATCH',
  buddy: 'SPATIAL_OUTLIER',
  shade: 'SHADED_OR_INDOOR',
  clone: 'CLONED_KEY_SUSPECTED',
  integrity: 'BAD_SIGNATURES',
  replay: 'REPLAYED_MESSAGES',
  drift: 'DRIFT',
  gaps: 'DATA_GAPS',
};

const BRIDGE_FAULT_CHECKS: Readonly<Record<BridgeFault, readonly string[]>> = {
  clock_skew: ['clock_skew'],
  replay: ['replay'],
  bad_signature: ['integrity'],
  cloned_key: ['clone'],
};

function signalFaultChecks(kind: HardwareKind, plan: FaultPlan): readonly string[] {
  switch (plan.type) {
    case 'stuck':
      return ['stuck'];
    case 'spike':
      return ['jump'];
    case 'drift':
      // the epoch-wide drift check: hourly means against the neighbours' median over time (weather), integrated
      // speed against the odometer (vehicle), the voltage trend (energy); it needs about 12 hours of data
      return ['drift'];
    case 'dropout':
      return ['gaps']; // hours with fewer than 2/3 of their expected readings
    case 'indoor':
      return ['shade', 'buddy'];
    case 'gps_teleport':
      return ['teleport'];
    case 'gps_spoof':
      return plan.variant === 'far' ? ['location'] : ['speed_mismatch', 'teleport'];
  }
}

/** The expectation for each of a device's faults (signal faults with their seeded plans, then bridge faults). */
export function expectedDetections(
  kind: HardwareKind,
  signal: readonly FaultPlan[],
  bridge: readonly BridgeFault[],
): FaultExpectation[] {
  const out: FaultExpectation[] = [];
  for (const plan of signal) {
    const checks = signalFaultChecks(kind, plan);
    out.push({
      fault: plan.type satisfies SignalFault,
      checks,
      reasons: checks.map((c) => CHECK_REASON[c]!),
    });
  }
  for (const fault of bridge) {
    const checks = BRIDGE_FAULT_CHECKS[fault];
    out.push({ fault, checks, reasons: checks.map((c) => CHECK_REASON[c]!) });
  }
  return out;
}
