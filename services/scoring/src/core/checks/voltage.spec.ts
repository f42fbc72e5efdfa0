import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkVoltage } from './voltage.js';

describe('voltage check', () => {
  it('accepts 230 V ± 10 % and 120 V ± 10 %, flags what lies outside both', () => {
    const v = [207, 253, 206.9, 253.1, 108, 132, 170, 0];
    const result = runChecks(
      'energy',
      regular(v.length, (i) => ({ voltage_l1: v[i]! })),
      [checkVoltage],
    );
    expect(result.flaggedBy('voltage')).toEqual([2, 3, 6, 7]);
  });

  it('does not check an unconnected second or third phase reading 0 V', () => {
    const result = runChecks(
      'energy',
      regular(1, () => ({ voltage_l1: 230, voltage_l2: 0, voltage_l3: 0 })),
      [checkVoltage],
    );
    expect(result.flaggedBy('voltage')).toEqual([]);
  });
});
