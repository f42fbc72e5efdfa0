import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkDewPoint, magnusDewPoint } from './dew-point.js';

describe('dew point check', () => {
  it('computes the Magnus dew point (20 °C at 50 % is about 9.3 °C; saturation gives the temperature)', () => {
    expect(magnusDewPoint(20, 50)).toBeCloseTo(9.26, 1);
    expect(magnusDewPoint(15, 100)).toBeCloseTo(15, 6);
  });

  it('flags a dew point above temperature by more than 0.5 °C (both variables), not at 0.5 °C', () => {
    const td = [10.5, 10.6];
    const result = runChecks(
      'weather',
      regular(2, (i) => ({ temperature: 10, dew_point: td[i]! })),
      [checkDewPoint],
    );
    expect(result.flaggedBy('dew_point')).toEqual([1]);
    expect(result.invalidVariables(1)).toEqual(['temperature', 'dew_point']);
  });

  it('flags a dew point that disagrees with temperature and humidity by more than 2 °C', () => {
    // 20 °C at 50 % has a dew point near 9.3 °C: 11.2 is within 2 °C, 11.4 is not
    const td = [11.2, 11.4];
    const result = runChecks(
      'weather',
      regular(2, (i) => ({ temperature: 20, humidity: 50, dew_point: td[i]! })),
      [checkDewPoint],
    );
    expect(result.flaggedBy('dew_point')).toEqual([1]);
    expect(result.invalidVariables(1)).toEqual(['dew_point']);
  });
});
