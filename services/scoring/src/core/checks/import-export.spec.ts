import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkImportExport } from './import-export.js';

describe('import / export check', () => {
  it('flags import and export both positive, not one of them zero', () => {
    const rows = [
      { power_import: 100, power_export: 0 },
      { power_import: 0, power_export: 300 },
      { power_import: 1, power_export: 1 },
    ];
    const result = runChecks(
      'energy',
      regular(3, (i) => rows[i]!),
      [checkImportExport],
    );
    expect(result.flaggedBy('import_export')).toEqual([2]);
    expect(result.invalidVariables(2)).toEqual(['power_import', 'power_export']);
  });
});
