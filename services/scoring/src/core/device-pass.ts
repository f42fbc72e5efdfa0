import { CHECK_COUNT } from './checks.js';
import { minLagSeconds } from './checks/clock-skew.js';
import { goodFix } from './checks/gnss.js';
import { seqGaps } from './checks/seq.js';
import { C } from './checks.js';
import { CheckContext } from './context.js';
import { expectedPerHour, type DeviceMeta } from './device-meta.js';
import { slots, type HourRollup } from './hour-rollup.js';
import type { ScoringParams } from './params.js';
import { PIPELINES } from './pipeline.js';
import type { DeviceSeries } from './series.js';
import { median } from './stats.js';
import { clearSkyGhi } from './sun.js';
import { HOUR_MS } from './time.js';
import { variableIndex } from './variables.js';

/** A reading some check flagged: what `reading_flags` stores (`vars`: bit v = variable v implicated). */
export interface FlaggedReading {
  readonly seq: number;
  readonly ts: number;
  readonly flags: number;
  readonly vars: number;
}

export interface DeviceHours {
  readonly device: string;
  /** device-hours with at least one reading in [from, to), in hour order */
  readonly hours: HourRollup[];
  /** flagged readings in [from, to), in time order */
  readonly flagged: FlaggedReading[];
}

/**
 * Runs every per-reading check of the device's kind over its series (which may start up to the lookback before
 * `from`, as context) and rolls the readings with ts in [from, to) up per hour. Pure and deterministic.
 */
export function scoreDeviceHours(
  series: DeviceSeries,
  meta: DeviceMeta,
  params: ScoringParams,
  from: number,
  to: number,
): DeviceHours {
  const ctx = new CheckContext(series, meta, params);
  for (const check of PIPELINES[series.kind]) {
    check(ctx);
  }
  const hours: HourRollup[] = [];
  const flagged: FlaggedReading[] = [];
  const { ts } = series;
  let i = 0;
  while (i < series.n && ts[i]! < from) {
    i++;
  }
  const counts = new Int32Array(ctx.vars * CHECK_COUNT);
  while (i < series.n && ts[i]! < to) {
    const end = ctx.hi[i]!;
    hours.push(rollHour(ctx, meta, i, Math.min(end, upperBound(ts, to, i, end)), counts, flagged));
    i = end;
  }
  return { device: series.device, hours, flagged };
}

function upperBound(ts: Float64Array, to: number, from: number, end: number): number {
  let k = from;
  while (k < end && ts[k]! < to) {
    k++;
  }
  return k;
}

function rollHour(
  ctx: CheckContext,
  meta: DeviceMeta,
  from: number,
  to: number,
  counts: Int32Array,
  flagged: FlaggedReading[],
): HourRollup {
  const { series, vars } = ctx;
  const hour = Math.floor(series.ts[from]! / HOUR_MS) * HOUR_MS;
  const present = new Array<number>(vars).fill(0);
  const valid = new Array<number>(vars).fill(0);
  const sums = new Array<number>(vars).fill(0);
  const fail = new Array<number>(CHECK_COUNT).fill(0);
  counts.fill(0);
  let flaggedCount = 0;
  let locMismatch = 0;
  const fixLat: number[] = [];
  const fixLon: number[] = [];
  for (let i = from; i < to; i++) {
    const flags = ctx.flags[i]!;
    if (flags !== 0) {
      flaggedCount++;
      flagged.push({ seq: series.seq[i]!, ts: series.ts[i]!, flags, vars: ctx.varMask[i]! });
      for (let c = 0; c < CHECK_COUNT; c++) {
        fail[c]! += (flags >>> c) & 1;
      }
      locMismatch += (flags >>> C.location) & 1;
    }
    for (let v = 0; v < vars; v++) {
      if (!ctx.present(i, v)) {
        continue;
      }
      present[v]!++;
      const primary = ctx.primary[i * vars + v]!;
      if (primary === 0) {
        valid[v]!++;
        if (v !== ctx.positionVar) {
          sums[v]! += series.values[v]![i]!;
        }
      } else {
        counts[v * CHECK_COUNT + primary - 1]!++;
      }
    }
    if (goodFix(ctx, i) && !ctx.has(i, C.clone)) {
      fixLat.push(series.lat[i]!);
      fixLon.push(series.lon[i]!);
    }
  }
  const expected = expectedPerHour(meta);
  const rollup: HourRollup = {
    device: series.device,
    kind: series.kind,
    hour,
    n: to - from,
    expected,
    flagged: flaggedCount,
    seqGaps: seqGaps(ctx, from, to),
    present,
    valid,
    mean: valid.map((count, v) => (count > 0 && v !== ctx.positionVar ? sums[v]! / count : Number.NaN)),
    fail,
    loss: new Array<number>(CHECK_COUNT).fill(0),
    obsN: fixLat.length,
    obsLat: median(fixLat),
    obsLon: median(fixLon),
    locMismatch,
    clockLagMinS: minLagSeconds(series.recv, series.ts, from, to),
    solarIndex: solarIndex(ctx, from, to),
    hourFlags: 0,
    detail: null,
  };
  for (let v = 0; v < vars; v++) {
    const d = slots(rollup, present[v]!);
    for (let c = 0; c < CHECK_COUNT; c++) {
      const count = counts[v * CHECK_COUNT + c]!;
      if (count !== 0) {
        rollup.loss[c]! += count / d;
      }
    }
  }
  return rollup;
}

/** Irradiance over clear-sky irradiance for the hour's daylight readings whose irradiance passed the checks. */
function solarIndex(ctx: CheckContext, from: number, to: number): number {
  const clear = ctx.clearSky;
  if (!clear) {
    return Number.NaN;
  }
  const g = variableIndex('weather', 'solar_irradiance');
  const irr = ctx.series.values[g]!;
  const threshold = clearSkyGhi(ctx.params.weather.solar.daylightElevationDeg);
  let seen = 0;
  let expected = 0;
  for (let i = from; i < to; i++) {
    const primary = ctx.primary[i * ctx.vars + g]!;
    if (clear[i]! >= threshold && !Number.isNaN(irr[i]!) && (primary === 0 || primary === C.shade + 1)) {
      seen += irr[i]!;
      expected += clear[i]!;
    }
  }
  return expected > 0 ? seen / expected : Number.NaN;
}
