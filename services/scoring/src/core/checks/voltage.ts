import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

const PHASES = ['voltage_l1', 'voltage_l2', 'voltage_l3'] as const;

/**
 * Supply voltage within nominal ±10 % (EN 50160), the nominal being the closest of the grid voltages in use
 * (120 V, 230 V). An unconnected second or third phase reads exactly 0 and is not checked.
 */
export function checkVoltage(ctx: CheckContext): void {
  const { nominalVoltages, voltageTolerance } = ctx.params.energy;
  PHASES.forEach((name, phase) => {
    const m = variableIndex('energy', name);
    const x = ctx.series.values[m]!;
    for (let i = 0; i < ctx.n; i++) {
      const v = x[i]!;
      if (Number.isNaN(v) || (phase > 0 && v === 0)) {
        continue;
      }
      let nominal = nominalVoltages[0]!;
      for (const candidate of nominalVoltages) {
        if (Math.abs(v - candidate) < Math.abs(v - nominal)) {
          nominal = candidate;
        }
      }
      if (Math.abs(v - nominal) > voltageTolerance * nominal) {
        ctx.flagVar(i, m, C.voltage);
      }
    }
  });
}
