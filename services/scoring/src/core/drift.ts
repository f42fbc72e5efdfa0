import { C } from './checks.js';
import type { DeviceMeta } from './device-meta.js';
import { invalidateVariable, type HourRollup } from './hour-rollup.js';
import type { ScoringParams } from './params.js';
import { DAY_MS, HOUR_MS } from './time.js';
import { variableIndex } from './variables.js';

/** A trend found by the drift check, as recorded in the hours' `detail` and the explanations. */
export interface DriftFinding {
  readonly variable: string;
  /** neighbour-relative trend, the variable's unit per day (stations) */
  readonly perDay?: number;
  /** the trend in standard errors */
  readonly t?: number;
  readonly hours?: number;
  /** ∫speed / odometer distance (vehicles) */
  readonly ratio?: number;
  readonly odometerKm?: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The epoch-level drift check over a device's hours of the epoch (sorted by hour; modified in place): a
 * variable whose hourly means move away from its neighbours' (x = a + b·t + c·median, b ≥ `minPerDay` per day
 * and `minT` standard errors from 0), or a vehicle whose integrated speed and odometer disagree by more than
 * `maxRatioError` over at least `minDistanceM`. A drifting variable is invalidated in every hour of the epoch
 * (charged to `drift`): its calibration cannot be trusted anywhere in it. Pure and deterministic (sums in hour
 * order).
 */
export function applyDriftCheck(
  meta: DeviceMeta,
  hours: readonly HourRollup[],
  params: ScoringParams,
  start: number,
): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const p = params.drift;
  for (const [name, rule] of Object.entries(p.variables[meta.kind])) {
    const points: [number, number, number][] = [];
    for (const h of hours) {
      const x = h.trend[`x.${name}`];
      const m = h.trend[`nb.${name}`];
      if (x !== undefined && m !== undefined && Number.isFinite(x) && Number.isFinite(m)) {
        points.push([(h.hour + HOUR_MS / 2 - start) / DAY_MS, m, x]);
      }
    }
    if (points.length < p.minHours) {
      continue;
    }
    const fit = trendFit(points);
    if (fit && Math.abs(fit.slope) >= rule.minPerDay && Math.abs(fit.slope) >= rule.minT * fit.se) {
      const finding = {
        variable: name,
        perDay: round(fit.slope, 4),
        t: round(fit.se > 0 ? fit.slope / fit.se : Infinity, 1),
        hours: points.length,
      };
      flag(hours, meta, [name], finding);
      findings.push(finding);
    }
  }
  if (meta.kind === 'vehicle') {
    let odo = 0;
    let spd = 0;
    for (const h of hours) {
      odo += h.trend.odo_m ?? 0;
      spd += h.trend.spd_m ?? 0;
    }
    if (odo >= p.odometer.minDistanceM && Math.abs(spd / odo - 1) > p.odometer.maxRatioError) {
      const finding = { variable: 'speed', ratio: round(spd / odo, 4), odometerKm: round(odo / 1000, 1) };
      flag(hours, meta, ['speed', 'odometer'], finding);
      findings.push(finding);
    }
  }
  return findings;
}

function flag(hours: readonly HourRollup[], meta: DeviceMeta, names: readonly string[], finding: DriftFinding): void {
  for (const h of hours) {
    for (const name of names) {
      invalidateVariable(h, variableIndex(meta.kind, name), C.drift);
    }
    h.hourFlags |= 1 << C.drift;
    h.detail ??= {};
    h.detail[`drift.${finding.variable}`] = finding;
  }
}

/**
 * Least squares of x on (1, t, m): the slope b of t and its standard error. Columns are centred first; with a
 * neighbour median that does not vary (or varies with t alone) the fit falls back to x on (1, t).
 */
export function trendFit(
  points: readonly (readonly [number, number, number])[],
): { slope: number; se: number } | undefined {
  const n = points.length;
  let tm = 0;
  let mm = 0;
  let xm = 0;
  for (const [t, m, x] of points) {
    tm += t;
    mm += m;
    xm += x;
  }
  tm /= n;
  mm /= n;
  xm /= n;
  let stt = 0;
  let smm = 0;
  let stm = 0;
  let stx = 0;
  let smx = 0;
  for (const [t, m, x] of points) {
    const dt = t - tm;
    const dm = m - mm;
    const dx = x - xm;
    stt += dt * dt;
    smm += dm * dm;
    stm += dt * dm;
    stx += dt * dx;
    smx += dm * dx;
  }
  if (!(stt > 0)) {
    return undefined;
  }
  const det = stt * smm - stm * stm;
  let slope: number;
  let c = 0;
  let varFactor: number;
  let dof: number;
  if (smm > 0 && det > 1e-9 * stt * smm) {
    slope = (stx * smm - smx * stm) / det;
    c = (smx * stt - stx * stm) / det;
    varFactor = smm / det;
    dof = n - 3;
  } else {
    slope = stx / stt;
    varFactor = 1 / stt;
    dof = n - 2;
  }
  if (dof <= 0) {
    return undefined;
  }
  let rss = 0;
  for (const [t, m, x] of points) {
    const r = x - xm - slope * (t - tm) - c * (m - mm);
    rss += r * r;
  }
  return { slope, se: Math.sqrt((rss / dof) * varFactor) };
}
