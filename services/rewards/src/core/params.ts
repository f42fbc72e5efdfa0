import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import { RewardsError } from './errors.js';

/** Version of the reward algorithm (this directory). Bump it with any change that can move an amount. */
export const REWARDS_ALGORITHM_VERSION = 'rewards-1.0.0';

export interface EmissionSchedule {
  /** base units emitted in epoch `startEpoch` */
  readonly perEpoch: bigint;
  /** the schedule's epoch 0 (earlier epochs emit nothing) */
  readonly startEpoch: number;
  /** halve every this many epochs; 0 = never */
  readonly halvingEpochs: number;
  /** then shrink by this many parts per million each epoch (rounded down); 0 = no decay */
  readonly decayPpm: number;
}

/** Everything an epoch's amounts depend on besides its inputs; stored with each closed epoch. */
export interface RewardParams {
  readonly algorithmVersion: string;
  readonly emission: EmissionSchedule;
  /** integer weights of each hardware kind's share of the emission */
  readonly split: Readonly<Record<HardwareKind, number>>;
  /** devices with quality below this earn nothing */
  readonly minQuality: number;
  /** H3 resolution of the capacity cells */
  readonly cellResolution: number;
  /** at most this many rewarded devices of a kind per cell; 0 = no limit */
  readonly cellCapacity: Readonly<Record<HardwareKind, number>>;
  /** hardware-class (model) multipliers; unlisted models count 1 */
  readonly classMultipliers: Readonly<Record<string, number>>;
}

const U64_MAX = 2n ** 64n - 1n;

/** Throws `BAD_PARAMS` naming the first thing wrong; returns the params for chaining. */
export function assertRewardParams(params: RewardParams): RewardParams {
  const fail = (message: string): never => {
    throw new RewardsError('BAD_PARAMS', message);
  };
  const e = params.emission;
  if (e.perEpoch < 0n || e.perEpoch > U64_MAX) {
    fail(`emission per epoch ${e.perEpoch} outside u64`);
  }
  if (!Number.isSafeInteger(e.startEpoch) || e.startEpoch < 0) {
    fail('emission start epoch must be a non-negative integer');
  }
  if (!Number.isSafeInteger(e.halvingEpochs) || e.halvingEpochs < 0) {
    fail('halving interval must be a non-negative integer');
  }
  if (!Number.isInteger(e.decayPpm) || e.decayPpm < 0 || e.decayPpm >= 1_000_000) {
    fail('decay must be an integer number of ppm below 1,000,000');
  }
  let splitTotal = 0;
  for (const kind of HARDWARE_KINDS) {
    const share = params.split[kind];
    const capacity = params.cellCapacity[kind];
    if (!Number.isSafeInteger(share) || share < 0) {
      fail(`split for ${kind} must be a non-negative integer`);
    }
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      fail(`cell capacity for ${kind} must be a non-negative integer`);
    }
    splitTotal += share;
  }
  if (splitTotal === 0 && e.perEpoch > 0n) {
    fail('the split gives every kind 0');
  }
  if (!(params.minQuality >= 0 && params.minQuality <= 1)) {
    fail('minimum quality must be within 0..1');
  }
  if (!Number.isInteger(params.cellResolution) || params.cellResolution < 0 || params.cellResolution > 15) {
    fail('H3 resolution must be an integer in 0..15');
  }
  for (const [model, multiplier] of Object.entries(params.classMultipliers)) {
    if (!(Number.isFinite(multiplier) && multiplier >= 0 && multiplier <= 1000)) {
      fail(`multiplier of ${model} must be within 0..1000`);
    }
  }
  return params;
}

/** Params as JSON-safe values (bigint as decimal text), the form stored and hashed. */
export function paramsToJson(params: RewardParams): Record<string, unknown> {
  return { ...params, emission: { ...params.emission, perEpoch: params.emission.perEpoch.toString() } };
}

export function paramsFromJson(value: unknown): RewardParams {
  const raw = value as RewardParams & { emission: { perEpoch: string } };
  if (typeof raw?.emission?.perEpoch !== 'string' || !/^\d+$/.test(raw.emission.perEpoch)) {
    throw new RewardsError('BAD_PARAMS', 'stored params have no emission amount');
  }
  return assertRewardParams({ ...raw, emission: { ...raw.emission, perEpoch: BigInt(raw.emission.perEpoch) } });
}
