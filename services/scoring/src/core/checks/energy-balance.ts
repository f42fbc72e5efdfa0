import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { trapezoidHours, windowStartIndex } from '../integrate.js';
import { variableIndex } from '../variables.js';

const DIRECTIONS = [
  { power: 'power_import', registers: ['energy_import_t1', 'energy_import_t2'] },
  { power: 'power_export', registers: ['energy_export_t1', 'energy_export_t2'] },
] as const;

/**
 * Over a window of `windowMinutes`, the energy registers (both tariffs) advance by the integrated power, in Wh,
 * within an absolute and a relative tolerance (instantaneous power samples miss short loads). A disagreement
 * flags the power and the registers of that direction: which one lies is unknown.
 */
export function checkEnergyBalance(ctx: CheckContext): void {
  const ts = ctx.series.ts;
  const p = ctx.params.energy.balance;
  const windowMs = p.windowMinutes * 60_000;
  const total = new Float64Array(ctx.n);
  for (const direction of DIRECTIONS) {
    const w = variableIndex('energy', direction.power);
    const power = ctx.series.values[w]!;
    const regs = direction.registers.map((name) => variableIndex('energy', name));
    const columns = regs.map((m) => ctx.series.values[m]!);
    // Registers summed over the tariffs the reading reports; a reading lacking a tariff another one had is skipped.
    for (let i = 0; i < ctx.n; i++) {
      total[i] = Number.isNaN(columns[0]![i]!)
        ? Number.NaN
        : columns[0]![i]! + (Number.isNaN(columns[1]![i]!) ? 0 : columns[1]![i]!);
    }
    for (let i = 0; i < ctx.n; i++) {
      if (Number.isNaN(total[i]!) || Number.isNaN(power[i]!)) {
        continue;
      }
      const j = windowStartIndex(ts, total, ctx.lo[i]!, i, windowMs);
      if (j < 0 || ts[i]! - ts[j]! < windowMs / 2 || Number.isNaN(columns[1]![i]!) !== Number.isNaN(columns[1]![j]!)) {
        continue;
      }
      const integrated = trapezoidHours(ts, power, j, i, p.maxGapMinutes * 60_000);
      if (Number.isNaN(integrated)) {
        continue;
      }
      const delta = total[i]! - total[j]!;
      if (Math.abs(delta - integrated) > Math.max(p.absToleranceWh, p.relTolerance * integrated)) {
        ctx.flagVar(i, w, C.energy_balance);
        for (const m of regs) {
          if (!Number.isNaN(ctx.series.values[m]![i]!)) {
            ctx.flagVar(i, m, C.energy_balance);
          }
        }
      }
    }
  }
}
