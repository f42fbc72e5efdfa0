import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkGust } from './gust.js';

describe('gust check', () => {
  it('flags a gust more than 0.5 m/s below the mean wind, not one 0.5 m/s below', () => {
    const gusts = [6, 4.5, 4.4];
    const result = runChecks(
      'weather',
      regular(3, (i) => ({ wind_speed: 5, wind_gust: gusts[i]! })),
      [checkGust],
    );
    expect(result.flaggedBy('gust')).toEqual([2]);
    expect(result.invalidVariables(2)).toEqual(['wind_speed', 'wind_gust']);
  });

  it('needs both values', () => {
    const result = runChecks(
      'weather',
      regular(1, () => ({ wind_gust: 1 })),
      [checkGust],
    );
    expect(result.flaggedBy('gust')).toEqual([]);
  });
});
