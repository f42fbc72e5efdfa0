import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import { apportion } from './apportion.js';
import type { EmissionSchedule } from './params.js';

/**
 * Base units the schedule emits in `epoch`: `perEpoch`, halved every `halvingEpochs` epochs since `startEpoch`,
 * then reduced by `decayPpm` per epoch with rounding down at each step (so any implementation gets the same
 * integers). Epochs before the start emit nothing.
 */
export function emissionForEpoch(schedule: EmissionSchedule, epoch: number): bigint {
  const k = epoch - schedule.startEpoch;
  if (k < 0) {
    return 0n;
  }
  let amount = schedule.perEpoch;
  if (schedule.halvingEpochs > 0) {
    const halvings = Math.floor(k / schedule.halvingEpochs);
    amount = halvings >= 64 ? 0n : amount >> BigInt(halvings);
  }
  if (schedule.decayPpm > 0) {
    const keep = BigInt(1_000_000 - schedule.decayPpm);
    for (let i = 0; i < k && amount > 0n; i++) {
      amount = (amount * keep) / 1_000_000n;
    }
  }
  return amount;
}

/** Each hardware kind's pool: the emission split by the integer weights, summing exactly to the emission. */
export function poolsByKind(
  emission: bigint,
  split: Readonly<Record<HardwareKind, number>>,
): Record<HardwareKind, bigint> {
  const parts = apportion(
    emission,
    HARDWARE_KINDS.map((kind) => BigInt(split[kind])),
  );
  return Object.fromEntries(HARDWARE_KINDS.map((kind, i) => [kind, parts[i]!])) as Record<HardwareKind, bigint>;
}
