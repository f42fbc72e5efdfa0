import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkRange } from './range.js';

describe('range check', () => {
  it('accepts values on the catalogue bounds and flags values just outside them', () => {
    // Given temperatures at -90 (min), 60 (max), 60.01 and -90.01, and humidity 100 (max) and 100.5
    const values = [-90, 60, 60.01, -90.01];
    const readings = regular(4, (i) => ({ temperature: values[i]!, humidity: i < 2 ? 100 : 100.5 }));

    // When the range check runs
    const result = runChecks('weather', readings, [checkRange]);

    // Then only the out-of-range values are invalid, variable by variable
    expect(result.invalidVariables(0)).toEqual([]);
    expect(result.invalidVariables(1)).toEqual([]);
    expect(result.invalidVariables(2)).toEqual(['temperature', 'humidity']);
    expect(result.invalidVariables(3)).toEqual(['temperature', 'humidity']);
    expect(result.flaggedBy('range')).toEqual([2, 3]);
  });

  it('ignores absent metrics', () => {
    const result = runChecks(
      'energy',
      regular(2, () => ({ power_import: 10 })),
      [checkRange],
    );
    expect(result.flaggedBy('range')).toEqual([]);
  });
});
