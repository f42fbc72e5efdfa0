/**
 * Detection quality of the scoring on the simulator's fault injection: per fault type, the share of faulty
 * devices each check flagged in the scored epoch (the confusion matrix), whether the fault's intended check
 * caught it, and the share of clean device-hours any check flagged.
 */
import type { FaultType } from '@groundtruth/firmware-bridge';
import type { HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import type { SimulatedDeviceTruth } from './scoring-fleet.js';

/**
 * The checks meant to catch each fault (any of them counts). Spikes: the jump check, or for quantities that may
 * jump legitimately (power) the consistency check that sees them; spoofed GNSS: the track against the
 * speedometer or the operating area ('far' variant).
 */
export const INTENDED: Readonly<Record<FaultType, readonly string[]>> = {
  stuck: ['stuck'],
  spike: ['jump', 'energy_balance'],
  drift: ['drift'],
  dropout: ['gaps'],
  indoor: ['shade', 'buddy'],
  gps_teleport: ['teleport'],
  gps_spoof: ['speed_mismatch', 'location'],
  clock_skew: ['clock_skew'],
  replay: ['replay'],
  bad_signature: ['integrity'],
  cloned_key: ['clone'],
};

export interface FaultRow {
  readonly kind: HardwareKind;
  readonly fault: string;
  readonly devices: number;
  /** devices the intended check flagged */
  readonly detected: number;
  /** per check id: devices it flagged */
  readonly byCheck: Readonly<Record<string, number>>;
  /** devices whose reasons included the intended check's reason code */
  readonly reasoned: number;
  /** per reason code: devices whose epoch score gave it */
  readonly reasons: Readonly<Record<string, number>>;
  readonly missed: readonly { id: string; detail: Record<string, unknown> }[];
}

export interface DetectionReport {
  readonly rows: FaultRow[];
  readonly cleanHours: number;
  readonly cleanHoursFlagged: number;
  readonly cleanByCheck: Readonly<Record<string, number>>;
  readonly checks: readonly string[];
}

interface ScoreRow {
  device_id: string;
  reasons: string[];
  breakdown: { checks: { check: string; reason: string; flagged: number; cost: number }[] };
}

/** Evaluates the scores of the epoch [start, end) (one version) against the fleet's ground truth. */
export async function evaluate(
  pool: pg.Pool,
  truths: readonly SimulatedDeviceTruth[],
  epoch: { start: number; end: number },
  hours: { from: number; to: number },
  version: string,
  checkOrder: readonly string[],
  reasonOf: (check: string) => string,
): Promise<DetectionReport> {
  const { rows } = await pool.query<ScoreRow>(
    `SELECT device_id, reasons, breakdown FROM device_epoch_scores WHERE epoch_start = $1 AND epoch_end = $2 AND version = $3`,
    [new Date(epoch.start).toISOString(), new Date(epoch.end).toISOString(), version],
  );
  const scores = new Map(rows.map((r) => [r.device_id, r]));
  const groups = new Map<string, SimulatedDeviceTruth[]>();
  for (const t of truths) {
    const key = `${t.kind}\u0000${t.fault ?? 'clean'}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const seen = new Set<string>();
  const out: FaultRow[] = [];
  for (const [key, devices] of groups) {
    const [kind, fault] = key.split('\u0000') as [HardwareKind, string];
    const intended = fault === 'clean' ? [] : INTENDED[fault as FaultType];
    const byCheck: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    let detected = 0;
    let reasoned = 0;
    const missed: FaultRow['missed'][number][] = [];
    for (const d of devices) {
      const score = scores.get(d.id);
      const flagged = new Set(
        (score?.breakdown.checks ?? []).filter((c) => c.flagged > 0 || c.cost > 0).map((c) => c.check),
      );
      for (const check of flagged) {
        byCheck[check] = (byCheck[check] ?? 0) + 1;
        seen.add(check);
      }
      if (intended.some((c) => flagged.has(c))) {
        detected++;
      } else if (fault !== 'clean') {
        missed.push({ id: d.id, detail: d.detail });
      }
      if (intended.some((c) => score?.reasons.includes(reasonOf(c)))) {
        reasoned++;
      }
      for (const reason of score?.reasons ?? []) {
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
    }
    out.push({ kind, fault, devices: devices.length, detected, byCheck, reasoned, reasons, missed });
  }
  const clean = truths.filter((t) => t.fault === undefined).map((t) => t.id);
  const { rows: hourRows } = await pool.query<{ check_fail: number[]; flagged: number; hour_flags: number }>(
    `SELECT check_fail, flagged, hour_flags FROM device_hour
      WHERE version = $1 AND hour >= $2 AND hour < $3 AND device_id = ANY($4::text[]) AND n > 0`,
    [version, new Date(hours.from).toISOString(), new Date(hours.to).toISOString(), clean],
  );
  const cleanByCheck: Record<string, number> = {};
  let cleanHoursFlagged = 0;
  for (const h of hourRows) {
    if (h.flagged > 0 || h.hour_flags !== 0) {
      cleanHoursFlagged++;
    }
    h.check_fail.forEach((count, c) => {
      if (count > 0) {
        cleanByCheck[checkOrder[c]!] = (cleanByCheck[checkOrder[c]!] ?? 0) + 1;
      }
    });
  }
  out.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.fault < b.fault ? -1 : 1));
  return {
    rows: out,
    cleanHours: hourRows.length,
    cleanHoursFlagged,
    cleanByCheck,
    checks: checkOrder.filter((c) => seen.has(c) || cleanByCheck[c] !== undefined),
  };
}

const pct = (n: number, of: number): string => (of === 0 ? '–' : `${Math.round((1000 * n) / of) / 10}`);

/** The confusion matrix and the per-fault detection table as Markdown. */
export function renderDetection(report: DetectionReport, epochLabel: string): string {
  const lines: string[] = [];
  lines.push(
    `Detection on ${epochLabel}: per fault type, the share of its devices that each check flagged (%), whether the`,
    `fault's intended check caught it, and (last row) the share of clean device-hours each check flagged.`,
    '',
    `| kind | fault | devices | intended | detected % | reason given % | ${report.checks.join(' | ')} |`,
    `|---|---|---:|---|---:|---:|${report.checks.map(() => '---:').join('|')}|`,
  );
  for (const row of report.rows) {
    const intended = row.fault === 'clean' ? '–' : INTENDED[row.fault as FaultType].join(', ');
    const cells = report.checks.map((c) => (row.byCheck[c] ? pct(row.byCheck[c]!, row.devices) : ''));
    lines.push(
      `| ${row.kind} | ${row.fault} | ${row.devices} | ${intended} | ${row.fault === 'clean' ? '–' : pct(row.detected, row.devices)} | ${row.fault === 'clean' ? '–' : pct(row.reasoned, row.devices)} | ${cells.join(' | ')} |`,
    );
  }
  const hourCells = report.checks.map((c) =>
    report.cleanByCheck[c] ? pct(report.cleanByCheck[c]!, report.cleanHours) : '',
  );
  lines.push(
    `| all | clean device-hours | ${report.cleanHours} h | – | flagged ${pct(report.cleanHoursFlagged, report.cleanHours)} % | – | ${hourCells.join(' | ')} |`,
  );
  lines.push(
    '',
    'Reason codes the epoch scores gave, per fault (share of its devices, codes given to ≥ 10 %):',
    '',
    '| kind | fault | reason codes |',
    '|---|---|---|',
  );
  for (const row of report.rows) {
    const given = Object.entries(row.reasons)
      .filter(([, n]) => n >= 0.1 * row.devices)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([code, n]) => `${code} ${pct(n, row.devices)}`);
    lines.push(`| ${row.kind} | ${row.fault} | ${given.join(', ') || '–'} |`);
  }
  const missed = report.rows.filter((r) => r.missed.length > 0);
  if (missed.length > 0) {
    lines.push('', 'Missed devices (fault, seeded choices):');
    for (const r of missed) {
      const sample = r.missed
        .slice(0, 6)
        .map((m) => JSON.stringify(m.detail))
        .join(', ');
      lines.push(`- ${r.kind} ${r.fault}: ${r.missed.length} of ${r.devices} — ${sample}`);
    }
  }
  return lines.join('\n');
}
