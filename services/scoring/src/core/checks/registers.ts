import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

export const ENERGY_REGISTERS = [
  'energy_import_t1',
  'energy_import_t2',
  'energy_export_t1',
  'energy_export_t2',
] as const;

/** Energy registers only count up: a register below its previous value (beyond 1 Wh resolution) is flagged. */
export function checkRegisters(ctx: CheckContext): void {
  const tolerance = ctx.params.energy.registerDecreaseToleranceWh;
  for (const name of ENERGY_REGISTERS) {
    const m = variableIndex('energy', name);
    const x = ctx.series.values[m]!;
    let prev = -1;
    for (let i = 0; i < ctx.n; i++) {
      if (Number.isNaN(x[i]!)) {
        continue;
      }
      if (prev >= 0 && prev >= ctx.lo[i]! && x[i]! < x[prev]! - tolerance) {
        ctx.flagVar(i, m, C.registers);
      }
      prev = i;
    }
  }
}
