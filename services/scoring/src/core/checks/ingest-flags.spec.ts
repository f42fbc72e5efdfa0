import { describe, expect, it } from 'vitest';
import { regular, runChecks } from '../harness.js';
import { checkIngestFlags } from './ingest-flags.js';

describe('ingest flags', () => {
  it('records out-of-range and clock-ahead bits, not the backlog (DELAYED) or reordering (LATE_SEQ) ones', () => {
    const bits = [0, 1, 2, 4, 8, 3];
    const readings = regular(bits.length, () => ({ temperature: 10 })).map((r, i) => ({ ...r, qflags: bits[i]! }));
    const result = runChecks('weather', readings, [checkIngestFlags]);
    expect(result.flaggedBy('ingest')).toEqual([1, 2, 5]);
    expect(result.invalidVariables(1)).toEqual([]);
  });
});
