import type { HardwareKind } from '@groundtruth/protocol';

export type DeviceStatus = 'active' | 'suspended' | 'revoked';

export interface DeclaredLocation {
  readonly lat: number;
  readonly lon: number;
  readonly alt?: number;
}

/** What the registry says about a device: the expectations its data is scored against. */
export interface DeviceMeta {
  readonly device: string;
  readonly kind: HardwareKind;
  /** declared reporting interval, seconds */
  readonly intervalS: number;
  readonly declared?: DeclaredLocation;
  readonly status: DeviceStatus;
  /** ms UTC; hours before it are not expected */
  readonly registeredAt?: number;
}

/** Readings expected in one hour at the declared interval. */
export function expectedPerHour(meta: Pick<DeviceMeta, 'intervalS'>): number {
  return 3600 / meta.intervalS;
}

/**
 * The share of the hour starting at `hour` that lies in the window [from, to) and (when known) after the
 * device's registration: 1 for a whole hour, 1/12 for the 5 minutes of a short epoch. Expected readings and
 * the epoch's weights scale with it.
 */
export function hourShare(hour: number, from: number, to: number, registeredAt?: number): number {
  const start = Math.max(hour, from, registeredAt ?? -Infinity);
  const end = Math.min(hour + 3_600_000, to);
  return end > start ? (end - start) / 3_600_000 : 0;
}
