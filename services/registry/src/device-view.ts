import type { HardwareKind } from '@groundtruth/protocol';
import type { DeviceStatus } from './device-rules.js';
import type { DeviceEventView, DeviceView, MakerView } from './registry.schemas.js';

/** A `devices` row as pg returns it. */
export interface DeviceRow {
  device_id: string;
  kind: HardwareKind;
  owner_wallet: string | null;
  model: string;
  maker: string | null;
  declared_lat: number | null;
  declared_lon: number | null;
  declared_alt: number | null;
  interval_s: number;
  status: DeviceStatus;
  status_reason: string | null;
  registered_at: Date;
  updated_at: Date;
  registration: string | null;
  device_sig: Buffer | null;
  owner_sig: Buffer | null;
  maker_sig: Buffer | null;
}

export interface DeviceEventRow {
  id: string;
  device_id: string;
  at: Date;
  action: DeviceEventView['action'];
  actor: string;
  reason: string | null;
  from_owner: string | null;
  to_owner: string | null;
  evidence: unknown;
}

export interface MakerRow {
  maker_key: string;
  name: string;
  registered_by: string;
  registered_at: Date;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64');

export function toDeviceView(row: DeviceRow): DeviceView {
  const location =
    row.declared_lat === null || row.declared_lon === null
      ? null
      : row.declared_alt === null
        ? { lat: row.declared_lat, lon: row.declared_lon }
        : { lat: row.declared_lat, lon: row.declared_lon, alt: row.declared_alt };
  const registration =
    row.registration === null || row.device_sig === null || row.owner_sig === null
      ? null
      : {
          request: JSON.parse(row.registration) as Record<string, unknown>,
          device_sig: b64(row.device_sig),
          owner_sig: b64(row.owner_sig),
          ...(row.maker_sig === null ? {} : { maker_sig: b64(row.maker_sig) }),
        };
  return {
    device: row.device_id,
    kind: row.kind,
    owner: row.owner_wallet,
    model: row.model,
    maker: row.maker,
    location,
    interval_s: row.interval_s,
    status: row.status,
    status_reason: row.status_reason,
    registered_at: row.registered_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    registration,
  };
}

export function toEventView(row: DeviceEventRow): DeviceEventView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actor: row.actor,
    reason: row.reason,
    from_owner: row.from_owner,
    to_owner: row.to_owner,
    evidence: row.evidence ?? null,
  };
}

export function toMakerView(row: MakerRow): MakerView {
  return {
    key: row.maker_key,
    name: row.name,
    registered_by: row.registered_by,
    registered_at: row.registered_at.toISOString(),
  };
}
