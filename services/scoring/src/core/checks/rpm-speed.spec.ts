import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkRpmSpeed } from './rpm-speed.js';

describe('rpm / speed consistency', () => {
  it('flags moving with the engine at 0 rpm and impossible speed per 1000 rpm, at the limits it passes', () => {
    const rows: Record<string, number>[] = [
      { speed: 20, rpm: 2000 }, // 10 m/s per 1000 rpm
      { speed: 20, rpm: 0 }, // engine off while moving
      { speed: 3, rpm: 0 }, // at the moving threshold: not moving
      { speed: 40, rpm: 1000 }, // 40 m/s per 1000 rpm: the limit
      { speed: 40.1, rpm: 1000 },
      { speed: 4, rpm: 8000 }, // 0.5: the limit
      { speed: 4, rpm: 8100 },
      { speed: 20 }, // no rpm reported (electric)
    ];
    const result = runChecks(
      'vehicle',
      regular(rows.length, (i) => rows[i]!),
      [checkRpmSpeed],
    );
    expect(result.flaggedBy('rpm_speed')).toEqual([1, 4, 6]);
    expect(result.invalidVariables(1)).toEqual(['speed', 'rpm']);
  });
});
