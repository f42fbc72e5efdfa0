import type { HardwareKind } from '@groundtruth/protocol';

/** A device's score for one epoch, as the scoring service gives it (device_epoch_scores). */
export interface EpochScore {
  readonly device: string;
  readonly kind: HardwareKind;
  /** 0..1 */
  readonly quality: number;
  /** 0..1: how plausible the device's location is */
  readonly locationScore: number;
  readonly reasons: readonly string[];
  readonly algorithmVersion: string;
  /** H3 cell the scoring placed the device in, when it did (otherwise the declared location decides) */
  readonly cell?: string | null;
}

export type DeviceStatus = 'active' | 'suspended' | 'revoked';

/** The registry row of a device at epoch close. */
export interface DeviceRecord {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly model: string;
  /** base58 wallet, or null when the device has none */
  readonly owner: string | null;
  readonly status: DeviceStatus;
  readonly lat: number | null;
  readonly lon: number | null;
}

/** An amount owed from outside the emission (dataset-sale revenue share, …): reward_credits. */
export interface Credit {
  readonly id: string;
  /** exactly one of device / wallet */
  readonly device: string | null;
  readonly wallet: string | null;
  readonly amount: bigint;
  /** e.g. `sale:<order id>` */
  readonly source: string;
}

/** A reward kept back in an earlier epoch (reward_holds). */
export interface Hold {
  readonly epoch: number;
  readonly device: string;
  /** `emission` or the credit's source */
  readonly source: string;
  readonly amount: bigint;
  readonly reason: string;
}

/** One owner wallet's total for an epoch. */
export interface WalletPayout {
  readonly wallet: string;
  readonly amount: bigint;
}
