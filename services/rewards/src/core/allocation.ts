import { HARDWARE_KINDS, isDeviceId, type HardwareKind } from '@groundtruth/protocol';
import { latLngToCell } from 'h3-js';
import { apportion } from './apportion.js';
import type { RewardParams } from './params.js';
import type { RewardReason } from './reasons.js';
import type { DeviceRecord, EpochScore } from './types.js';

/** One device's emission outcome in an epoch. */
export interface DeviceOutcome {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly owner: string | null;
  readonly cell: string | null;
  readonly score: EpochScore | null;
  readonly multiplier: number;
  /** quality·location·multiplier in fixed point (1e6·1e6·1e3), the integer the pool is split by */
  readonly weight: bigint;
  readonly amount: bigint;
  readonly reason: RewardReason;
}

/** Solana wallets have the same form as device ids: base58 of 32 bytes. */
export function isUsableWallet(owner: string | null): owner is string {
  return owner !== null && isDeviceId(owner);
}

const fixed = (value: number, scale: number): bigint => BigInt(Math.round(Math.min(Math.max(value, 0), 1e9) * scale));

/** Quality·location·multiplier as an exact integer, so every platform splits a pool identically. */
export function deviceWeight(quality: number, locationScore: number, multiplier: number): bigint {
  return fixed(quality, 1e6) * fixed(locationScore, 1e6) * fixed(multiplier, 1e3);
}

function cellOf(device: DeviceRecord, score: EpochScore | null, resolution: number): string | null {
  if (score?.cell) {
    return score.cell;
  }
  if (device.lat === null || device.lon === null || !Number.isFinite(device.lat) || !Number.isFinite(device.lon)) {
    return null;
  }
  return latLngToCell(device.lat, device.lon, resolution);
}

interface Candidate {
  device: DeviceRecord;
  score: EpochScore | null;
  cell: string | null;
  multiplier: number;
  weight: bigint;
  reason: RewardReason | null;
}

/**
 * The emission side of an epoch: which devices earn, and how much of their kind's pool.
 *
 * In order: suspended/revoked devices, unscored ones, quality under the threshold, no location
 * where the kind is capacity-limited, zero weight — none of these earn. Then per (kind, H3 cell) at most K
 * devices are rewarded, ranked by quality (ties: device id); the rest are `over_capacity`. The survivors split
 * their kind's pool by weight with largest-remainder rounding, so each pool is paid to the base unit. A device
 * without a usable wallet still gets its share, marked `held_no_wallet` (kept, paid later).
 */
export function allocateEmission(
  params: RewardParams,
  pools: Readonly<Record<HardwareKind, bigint>>,
  devices: readonly DeviceRecord[],
  scores: readonly EpochScore[],
): DeviceOutcome[] {
  const byDevice = new Map(devices.map((d) => [d.device, d]));
  const scored = new Map(scores.map((s) => [s.device, s]));
  const candidates: Candidate[] = [];
  for (const device of devices) {
    const score = scored.get(device.device) ?? null;
    const multiplier = params.classMultipliers[device.model] ?? 1;
    const cell = cellOf(device, score, params.cellResolution);
    const limited = params.cellCapacity[device.kind] > 0;
    const weight = score ? deviceWeight(score.quality, score.locationScore, multiplier) : 0n;
    // Suspension first: a suspended device is reported as such whether or not scoring still scored it.
    const reason: RewardReason | null =
      device.status !== 'active'
        ? 'suspended'
        : score === null
          ? 'no_score'
          : !(score.quality >= params.minQuality)
            ? 'below_threshold'
            : limited && cell === null
              ? 'no_location'
              : weight === 0n
                ? 'zero_weight'
                : null;
    candidates.push({ device, score, cell, multiplier, weight, reason });
  }

  // Cell capacity: rank the still-eligible devices of each (kind, cell) by quality.
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.reason === null && c.cell !== null && params.cellCapacity[c.device.kind] > 0) {
      const key = `${c.device.kind}/${c.cell}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
  }
  for (const group of groups.values()) {
    group.sort((a, b) => b.score!.quality - a.score!.quality || (a.device.device < b.device.device ? -1 : 1));
    for (const c of group.slice(params.cellCapacity[group[0]!.device.kind])) {
      c.reason = 'over_capacity';
    }
  }

  const outcomes: DeviceOutcome[] = [];
  for (const kind of HARDWARE_KINDS) {
    const earning = candidates
      .filter((c) => c.device.kind === kind && c.reason === null)
      .sort((a, b) => (a.device.device < b.device.device ? -1 : 1));
    const amounts = apportion(
      pools[kind],
      earning.map((c) => c.weight),
    );
    earning.forEach((c, i) => {
      outcomes.push(outcome(c, amounts[i]!, isUsableWallet(c.device.owner) ? 'rewarded' : 'held_no_wallet'));
    });
  }
  for (const c of candidates) {
    if (c.reason !== null) {
      outcomes.push(outcome(c, 0n, c.reason));
    }
  }
  for (const score of scores) {
    if (!byDevice.has(score.device)) {
      outcomes.push({
        device: score.device,
        kind: score.kind,
        owner: null,
        cell: score.cell ?? null,
        score,
        multiplier: 1,
        weight: 0n,
        amount: 0n,
        reason: 'unknown_device',
      });
    }
  }
  return outcomes.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}

function outcome(c: Candidate, amount: bigint, reason: RewardReason): DeviceOutcome {
  return {
    device: c.device.device,
    kind: c.device.kind,
    owner: c.device.owner,
    cell: c.cell,
    score: c.score,
    multiplier: c.multiplier,
    weight: c.weight,
    amount,
    reason,
  };
}
