import { CHECK_COUNT } from './checks.js';
import { minLagSeconds } from './checks/clock-skew.js';
import { goodFix } from './checks/gnss.js';
import { seqGaps } from './checks/seq.js';
import { C } from './checks.js';
import { CheckContext } from './context.js';
import { expectedPerHour, hourShare, type DeviceMeta } from './device-meta.js';
import { slots, type HourRollup } from './hour-rollup.js';
import type { ScoringParams } from './params.js';
import { PIPELINES } from './pipeline.js';
import { emptyRollup } from './quarantine.js';
import type { DeviceSeries } from './series.js';
import { median } from './stats.js';
import { clearSkyGhi } from './sun.js';
import { HOUR_MS } from './time.js';
import { variableIndex, variablesOf } from './variables.js';

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
  // Readings stamped before the window but received in it, with a skewed clock: evidence for this window too
  // (a clock minutes behind puts a short epoch's readings into the epochs before it, already scored).
  let lateSkewed = 0;
  for (let k = 0; k < i; k++) {
    const r = series.recv[k]!;
    if (r >= from && r < to && ctx.has(k, C.clock_skew)) {
      lateSkewed++;
    }
  }
  const counts = new Int32Array(ctx.vars * CHECK_COUNT);
  while (i < series.n && ts[i]! < to) {
    const end = ctx.hi[i]!;
    const hour = Math.floor(ts[i]! / HOUR_MS) * HOUR_MS;
    const share = hourShare(hour, from, to, meta.registeredAt) || hourShare(hour, from, to);
    hours.push(rollHour(ctx, meta, i, Math.min(end, upperBound(ts, to, i, end)), share, counts, flagged));
    i = end;
  }
  if (lateSkewed > 0) {
    const hour = Math.floor(from / HOUR_MS) * HOUR_MS;
    let first = hours[0];
    if (first?.hour !== hour) {
      first = emptyRollup(meta, hour, hourShare(hour, from, to, meta.registeredAt) || hourShare(hour, from, to));
      hours.unshift(first);
    }
    first.fail[C.clock_skew]! += lateSkewed;
    first.hourFlags |= 1 << C.clock_skew;
    first.detail = { ...first.detail, clock_skew: { stamped_before_window: lateSkewed } };
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
  share: number,
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
    if (goodFix(ctx, i) && !ctx.has(i, C.clone)) {
      fixLat.push(series.lat[i]!);
      fixLon.push(series.lon[i]!);
    }
  }
  // per variable: readings carrying it, how many passed, their sum (in reading order), and what the checks took
  const primaries = ctx.primary;
  for (let v = 0; v < vars; v++) {
    const position = v === ctx.positionVar;
    const column = position ? series.lat : series.values[v]!;
    let seen = 0;
    let ok = 0;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const x = column[i]!;
      if (Number.isNaN(x)) {
        continue;
      }
      seen++;
      const primary = primaries[i * vars + v]!;
      if (primary === 0) {
        ok++;
        if (!position) {
          sum += x;
        }
      } else {
        counts[v * CHECK_COUNT + primary - 1]!++;
      }
    }
    present[v] = seen;
    valid[v] = ok;
    sums[v] = sum;
  }
  const expected = expectedPerHour(meta) * share;
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
    trend: {},
  };
  if (rollup.n < ctx.params.minAvailability * expected) {
    // WeatherXM's hourly availability: too few readings for the hour to count as covered.
    rollup.fail[C.gaps] = Math.max(1, Math.round(expected - rollup.n));
    rollup.hourFlags |= 1 << C.gaps;
    rollup.detail = { gaps: { readings: rollup.n, expected: Math.round(expected * 100) / 100 } };
  }
  if (series.kind === 'vehicle') {
    distances(ctx, from, to, rollup.trend);
  }
  if (ctx.anyExemptStuck) {
    exemptStuckCounts(ctx, from, to, rollup.trend);
  }
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

/**
 * Distance the odometer counted and the integrated OBD speed over the same intervals (consecutive readings of the
 * hour with both values, at most the odometer check's gap apart, odometer not going back): the drift check
 * compares their ratio over the epoch.
 */
function distances(ctx: CheckContext, from: number, to: number, trend: Record<string, number>): void {
  const { ts, values } = ctx.series;
  const odo = values[variableIndex('vehicle', 'odometer')]!;
  const speed = values[variableIndex('vehicle', 'speed')]!;
  const maxGap = ctx.params.vehicle.odometer.maxGapMinutes * 60_000;
  let odoM = 0;
  let speedM = 0;
  for (let j = Math.max(from, ctx.lo[from]! + 1, 1); j < to; j++) {
    const dt = ts[j]! - ts[j - 1]!;
    const delta = odo[j]! - odo[j - 1]!;
    if (dt > 0 && dt <= maxGap && delta >= 0 && !Number.isNaN(speed[j]!) && !Number.isNaN(speed[j - 1]!)) {
      odoM += delta;
      speedM += ((speed[j]! + speed[j - 1]!) / 2) * (dt / 1000);
    }
  }
  if (odoM > 0 || speedM > 0) {
    trend.odo_m = odoM;
    trend.spd_m = speedM;
  }
}

/** Readings per variable that are constant long enough to be stuck at a level the stuck check exempts. */
function exemptStuckCounts(ctx: CheckContext, from: number, to: number, trend: Record<string, number>): void {
  const names = variablesOf(ctx.series.kind);
  for (let i = from; i < to; i++) {
    const bits = ctx.exemptStuck[i]!;
    if (bits === 0) {
      continue;
    }
    for (let v = 0; v < names.length; v++) {
      if ((bits >>> v) & 1) {
        const key = `exempt_stuck.${names[v]!}`;
        trend[key] = (trend[key] ?? 0) + 1;
      }
    }
  }
}
