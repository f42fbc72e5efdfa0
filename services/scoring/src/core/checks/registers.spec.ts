import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkRegisters } from './registers.js';

describe('energy registers check', () => {
  it('flags a register that goes back by more than 1 Wh, not by 1 Wh', () => {
    const t1 = [1000, 1010, 1009, 1020, 1018.9];
    const result = runChecks(
      'energy',
      regular(5, (i) => ({ energy_import_t1: t1[i]!, energy_export_t2: 7 })),
      [checkRegisters],
    );
    expect(result.flaggedBy('registers')).toEqual([4]);
    expect(result.invalidVariables(4)).toEqual(['energy_import_t1']);
  });
});
