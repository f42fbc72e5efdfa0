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
