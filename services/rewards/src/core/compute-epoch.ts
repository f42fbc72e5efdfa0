import type { HardwareKind } from '@groundtruth/protocol';
import { allocateEmission, isUsableWallet, type DeviceOutcome } from './allocation.js';
import { emissionForEpoch, poolsByKind } from './emission.js';
import { RewardsError } from './errors.js';
import { buildManifest, type Manifest, type RewardLeaf } from './manifest.js';
import type { RewardParams } from './params.js';
import { HELD_REASONS, PAID_REASONS, type RewardReason } from './reasons.js';
import type { Credit, DeviceRecord, EpochScore, Hold, WalletPayout } from './types.js';

/** Everything an epoch's rewards are computed from. Same inputs, same manifest, byte for byte. */
export interface EpochInputs {
  readonly epoch: number;
  readonly params: RewardParams;
  /** registry rows at close */
  readonly devices: readonly DeviceRecord[];
  readonly scores: readonly EpochScore[];
  /** credits claimed by this epoch */
  readonly credits: readonly Credit[];
  /** holds from earlier epochs still unpaid at close */
  readonly openHolds: readonly Hold[];
}

export interface EpochTotals {
  readonly emission: bigint;
  /** emission given to devices (paid now or held) */
  readonly rewarded: bigint;
  /** kept back for later (no wallet, suspended) */
  readonly held: bigint;
  readonly released: bigint;
  readonly credited: bigint;
  readonly payout: bigint;
}

export interface EpochResult {
  readonly epoch: number;
  readonly pools: Readonly<Record<HardwareKind, bigint>>;
  readonly outcomes: readonly DeviceOutcome[];
  readonly manifest: Manifest;
  /** per owner wallet, sorted by wallet, amounts > 0 */
  readonly payouts: readonly WalletPayout[];
  readonly newHolds: readonly Hold[];
  readonly releasedHolds: readonly Hold[];
  readonly totals: EpochTotals;
}

const U64_MAX = 2n ** 64n - 1n;

/** `<kind>:<reference>`, e.g. `sale:ord_123`; `emission` and `held:` are the engine's own sources. */
const CREDIT_SOURCE = /^[a-z][a-z0-9_-]{0,31}:\S{1,200}$/;

/**
 * Credits the engine can pay or hold: a positive amount, a well-formed source, and either a device or a usable
 * wallet. Others stay open in reward_credits and are reported, never silently dropped.
 */
export function isPayableCredit(credit: Credit): boolean {
  return (
    credit.amount > 0n &&
    credit.amount <= U64_MAX &&
    CREDIT_SOURCE.test(credit.source) &&
    !credit.source.startsWith('held:') &&
    (credit.device !== null ? credit.wallet === null : isUsableWallet(credit.wallet))
  );
}

function emissionLeaf(epoch: number, params: RewardParams, o: DeviceOutcome): RewardLeaf {
  return {
    v: 1,
    epoch,
    device: o.device,
    owner: o.owner,
    kind: o.kind,
    source: 'emission',
    reason: o.reason,
    amount: o.amount.toString(),
    score: o.score && {
      quality: o.score.quality,
      location: o.score.locationScore,
      multiplier: o.multiplier,
      weight: o.weight.toString(),
      cell: o.cell,
    },
    algorithms: { scoring: o.score?.algorithmVersion ?? null, rewards: params.algorithmVersion },
  };
}

function owedLeaf(
  epoch: number,
  params: RewardParams,
  device: DeviceRecord | undefined,
  deviceId: string | null,
  wallet: string | null,
  source: string,
  amount: bigint,
  released = false,
): RewardLeaf {
  let reason: RewardReason;
  let owner: string | null;
  if (deviceId === null) {
    reason = 'rewarded';
    owner = wallet;
  } else {
    owner = device?.owner ?? null;
    const active = device?.status === 'active';
    reason =
      !active && device
        ? 'held_suspended'
        : !isUsableWallet(owner)
          ? 'held_no_wallet'
          : released
            ? 'released'
            : 'rewarded';
  }
  return {
    v: 1,
    epoch,
    device: deviceId,
    owner,
    kind: device?.kind ?? null,
    source,
    reason,
    amount: amount.toString(),
    score: null,
    algorithms: { scoring: null, rewards: params.algorithmVersion },
  };
}

/**
 * Computes an epoch: the emission split by kind and across devices ({@link allocateEmission}), credits paid to
 * owners (or held), earlier holds released to devices that are now active with a wallet, the sorted manifest
 * and its Merkle root, and the payout per owner wallet. Pure: no clock, no I/O, no randomness.
 */
export function computeEpoch(inputs: EpochInputs): EpochResult {
  const { epoch, params } = inputs;
  const emission = emissionForEpoch(params.emission, epoch);
  const pools = poolsByKind(emission, params.split);
  const outcomes = allocateEmission(params, pools, inputs.devices, inputs.scores);
  const devices = new Map(inputs.devices.map((d) => [d.device, d]));
  const leaves: RewardLeaf[] = outcomes.map((o) => emissionLeaf(epoch, params, o));
  let credited = 0n;
  for (const credit of inputs.credits) {
    if (!isPayableCredit(credit)) {
      throw new RewardsError('BAD_PARAMS', `credit ${credit.id} is not payable`);
    }
    const device = credit.device === null ? undefined : devices.get(credit.device);
    leaves.push(owedLeaf(epoch, params, device, credit.device, credit.wallet, credit.source, credit.amount));
    credited += credit.amount;
  }
  const releasedHolds: Hold[] = [];
  for (const hold of inputs.openHolds) {
    const device = devices.get(hold.device);
    if (device?.status === 'active' && isUsableWallet(device.owner)) {
      leaves.push(
        owedLeaf(epoch, params, device, hold.device, null, `held:${hold.epoch}:${hold.source}`, hold.amount, true),
      );
      releasedHolds.push(hold);
    }
  }
  const manifest = buildManifest(epoch, leaves);

  const byWallet = new Map<string, bigint>();
  const newHolds: Hold[] = [];
  let held = 0n;
  let released = 0n;
  for (const leaf of manifest.leaves) {
    const amount = BigInt(leaf.amount);
    if (amount === 0n) {
      continue;
    }
    if (PAID_REASONS.has(leaf.reason)) {
      byWallet.set(leaf.owner!, (byWallet.get(leaf.owner!) ?? 0n) + amount);
      released += leaf.reason === 'released' ? amount : 0n;
    } else if (HELD_REASONS.has(leaf.reason)) {
      newHolds.push({ epoch, device: leaf.device!, source: leaf.source, amount, reason: leaf.reason });
      held += amount;
    }
  }
  const payouts = [...byWallet]
    .map(([wallet, amount]) => ({ wallet, amount }))
    .sort((a, b) => (a.wallet < b.wallet ? -1 : a.wallet > b.wallet ? 1 : 0));
  const payout = payouts.reduce((sum, p) => sum + p.amount, 0n);
  if (payouts.some((p) => p.amount > U64_MAX) || payout > U64_MAX) {
    throw new RewardsError('AMOUNT_OVERFLOW', `epoch ${epoch} pays more than a u64 holds`);
  }
  const rewarded = outcomes.reduce((sum, o) => sum + o.amount, 0n);
  return {
    epoch,
    pools,
    outcomes,
    manifest,
    payouts,
    newHolds,
    releasedHolds,
    totals: { emission, rewarded, held, released, credited, payout },
  };
}

/** Counts of devices per reason (emission leaves only), every reason present with 0 by default. */
export function reasonCounts(outcomes: readonly DeviceOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    counts[o.reason] = (counts[o.reason] ?? 0) + 1;
  }
  return counts;
}
