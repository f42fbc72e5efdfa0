import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

/** A meter measures net power at one instant: import and export cannot both be positive. */
export function checkImportExport(ctx: CheckContext): void {
  const a = variableIndex('energy', 'power_import');
  const b = variableIndex('energy', 'power_export');
  const imp = ctx.series.values[a]!;
  const exp = ctx.series.values[b]!;
  for (let i = 0; i < ctx.n; i++) {
    if (imp[i]! > 0 && exp[i]! > 0) {
      ctx.flagVar(i, a, C.import_export);
      ctx.flagVar(i, b, C.import_export);
    }
  }
}
