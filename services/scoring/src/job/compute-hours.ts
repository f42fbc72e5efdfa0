import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import { hourShare, type DeviceMeta } from '../core/device-meta.js';
import { scoreDeviceHours } from '../core/device-pass.js';
import type { HourRollup } from '../core/hour-rollup.js';
import type { ScoringParams } from '../core/params.js';
import { applyQuarantine, emptyRollup } from '../core/quarantine.js';
import { applySpatialChecks } from '../core/spatial/spatial-pass.js';
import { MINUTE_MS } from '../core/time.js';
import type { DeviceResult, HoursRepository } from '../db/hours.repository.js';
import { streamDeviceSeries, type ReadOptions } from '../db/readings.reader.js';

/** How the job reads readings (see {@link ReadOptions}). */
export type ReadTuning = Pick<ReadOptions, 'mode' | 'copyRowsPerShard' | 'copyConcurrency' | 'fetchSize'>;

export interface ComputeStats {
  readings: number;
  devices: number;
  /** ms spent reading rows out of the database, and in the pure core */
  readMs: number;
  coreMs: number;
}

export interface ComputeOutcome {
  /** per device with data or quarantine evidence in [from, to), sorted by device id */
  readonly results: DeviceResult[];
  readonly stats: ComputeStats;
}

/**
 * Scores hours [from, to) of the given devices (default: all) from stored readings: per-reading checks per
 * device (readings from the lookback before `from` as context), quarantine evidence, then the neighbour checks
 * across weather stations. Pure except for the reads; nothing is written.
 */
export async function computeHours(
  pool: pg.Pool,
  hoursRepo: HoursRepository,
  params: ScoringParams,
  range: { from: number; to: number },
  metas: ReadonlyMap<string, DeviceMeta>,
  options: {
    devices?: readonly string[];
    kinds?: readonly HardwareKind[];
    onUnknownDevice?: (device: string) => void;
    read?: ReadTuning;
  } = {},
): Promise<ComputeOutcome> {
  const stats: ComputeStats = { readings: 0, devices: 0, readMs: 0, coreMs: 0 };
  const byDevice = new Map<string, { meta: DeviceMeta; hours: HourRollup[]; flagged: DeviceResult['flagged'] }>();
  const lookback = params.lookbackMinutes * MINUTE_MS;
  for (const kind of options.kinds ?? HARDWARE_KINDS) {
    let last = performance.now();
    const read = await streamDeviceSeries(
      pool,
      {
        kind,
        from: range.from - lookback,
        to: range.to,
        ...options.read,
        ...(options.devices ? { devices: options.devices } : {}),
      },
      (series) => {
        const started = performance.now();
        stats.readMs += started - last;
        let meta = metas.get(series.device);
        if (!meta || meta.kind !== kind) {
          options.onUnknownDevice?.(series.device);
          meta = { device: series.device, kind, intervalS: 60, status: 'active' };
        }
        const { hours, flagged } = scoreDeviceHours(series, meta, params, range.from, range.to);
        if (hours.length > 0) {
          byDevice.set(series.device, { meta, hours, flagged });
        }
        last = performance.now();
        stats.coreMs += last - started;
      },
    );
    stats.readMs += performance.now() - last;
    stats.readings += read.rows;
  }
  const quarantine = await hoursRepo.quarantineCounts(range.from, range.to, options.devices);
  for (const [device, byHour] of quarantine) {
    const meta = metas.get(device);
    if (!meta) {
      continue;
    }
    let entry = byDevice.get(device);
    if (!entry) {
      entry = { meta, hours: [], flagged: [] };
      byDevice.set(device, entry);
    }
    for (const [hour, counts] of [...byHour].sort((a, b) => a[0] - b[0])) {
      let rollup = entry.hours.find((h) => h.hour === hour);
      if (!rollup) {
        rollup = emptyRollup(meta, hour, hourShare(hour, range.from, range.to, meta.registeredAt));
        entry.hours.push(rollup);
        entry.hours.sort((a, b) => a.hour - b.hour);
      }
      applyQuarantine(rollup, counts, params);
    }
  }
  const started = performance.now();
  applySpatialChecks([...byDevice.values()], params);
  stats.coreMs += performance.now() - started;
  stats.devices = byDevice.size;
  const results = [...byDevice.values()].sort((a, b) =>
    a.meta.device < b.meta.device ? -1 : a.meta.device > b.meta.device ? 1 : 0,
  );
  return { results, stats };
}
