import { isHardwareKind, type HardwareKind } from '@groundtruth/protocol';
import type { DeviceMeta, DeviceStatus } from '../core/device-meta.js';
import type { HourRollup } from '../core/hour-rollup.js';

/** A `device_hour` row as pg returns it. */
export interface DeviceHourRow {
  device_id: string;
  hour_ms: number;
  kind: string;
  n: number;
  expected: number;
  flagged: number;
  seq_gaps: string | number;
  var_present: number[];
  var_valid: number[];
  var_mean: number[];
  check_fail: number[];
  check_loss: number[];
  obs_n: number;
  obs_lat: number | null;
  obs_lon: number | null;
  loc_mismatch: number;
  clock_lag_min_s: number | null;
  solar_index: number | null;
  hour_flags: number;
  detail: Record<string, unknown> | null;
}

const nan = (x: number | null): number => (x === null ? Number.NaN : x);

export function rollupFromRow(row: DeviceHourRow): HourRollup {
  return {
    device: row.device_id,
    kind: kindOf(row.kind),
    hour: row.hour_ms,
    n: row.n,
    expected: row.expected,
    flagged: row.flagged,
    seqGaps: Number(row.seq_gaps),
    present: row.var_present,
    valid: row.var_valid,
    mean: row.var_mean,
    fail: row.check_fail,
    loss: row.check_loss,
    obsN: row.obs_n,
    obsLat: nan(row.obs_lat),
    obsLon: nan(row.obs_lon),
    locMismatch: row.loc_mismatch,
    clockLagMinS: nan(row.clock_lag_min_s),
    solarIndex: nan(row.solar_index),
    hourFlags: row.hour_flags,
    ...splitDetail(row.detail),
  };
}

/** A `devices` row (with the status as of the scored epoch) as pg returns it. */
export interface DeviceRow {
  device_id: string;
  kind: string;
  interval_s: number;
  declared_lat: number | null;
  declared_lon: number | null;
  declared_alt: number | null;
  status: string;
  registered_ms: number;
}

export function metaFromRow(row: DeviceRow): DeviceMeta {
  const status: DeviceStatus = row.status === 'suspended' || row.status === 'revoked' ? row.status : 'active';
  return {
    device: row.device_id,
    kind: kindOf(row.kind),
    intervalS: row.interval_s,
    status,
    registeredAt: row.registered_ms,
    ...(row.declared_lat !== null && row.declared_lon !== null
      ? {
          declared: {
            lat: row.declared_lat,
            lon: row.declared_lon,
            ...(row.declared_alt === null ? {} : { alt: row.declared_alt }),
          },
        }
      : {}),
  };
}

function kindOf(value: string): HardwareKind {
  if (!isHardwareKind(value)) {
    throw new TypeError(`unknown hardware kind in the database: ${value}`);
  }
  return value;
}

/** `detail` as stored holds the drift check's inputs under `trend` (see hours.repository). */
function splitDetail(stored: Record<string, unknown> | null): Pick<HourRollup, 'detail' | 'trend'> {
  if (stored === null || !('trend' in stored)) {
    return { detail: stored, trend: {} };
  }
  const { trend, ...detail } = stored;
  return { detail: Object.keys(detail).length > 0 ? detail : null, trend: trend as Record<string, number> };
}
