import { describe, expect, it } from 'vitest';
import { QOD_1_0_0 } from './algorithms.js';
import { C } from './checks.js';
import type { DeviceMeta } from './device-meta.js';
import { scoreEpoch } from './epoch.js';
import type { HourRollup } from './hour-rollup.js';
import { applyQuarantine, emptyRollup } from './quarantine.js';
import { variableIndex } from './variables.js';

const DAY = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const meta: DeviceMeta = {
  device: 'st',
  kind: 'weather',
  intervalS: 60,
  status: 'active',
  declared: { lat: 52, lon: 5 },
  registeredAt: DAY - 86_400_000,
};
const REQUIRED = ['temperature', 'humidity', 'pressure'].map((name) => variableIndex('weather', name));

/** An hour with `n` readings of the required variables, `valid` of them passing every check. */
function hour(h: number, n: number, valid = n, expected = 60): HourRollup {
  const r = emptyRollup(meta, DAY + h * HOUR);
  r.n = n;
  r.expected = expected;
  for (const v of REQUIRED) {
    r.present[v] = n;
    r.valid[v] = valid;
  }
  return r;
}

describe('epoch score', () => {
  it('is the mean over variables and expected hours of valid / expected readings; missing hours count 0', () => {
    // 18 full hours and 6 silent ones: 0.75, with LOW_AVAILABILITY not given (0.75 ≥ 0.67)
    const score = scoreEpoch(
      { meta, start: DAY, end: DAY + 24 * HOUR, hours: Array.from({ length: 18 }, (_, h) => hour(h, 60)) },
      QOD_1_0_0,
    );
    expect(score).toMatchObject({ quality: 0.75, availability: 0.75, locationScore: 0.5 });
    expect(score.breakdown).toMatchObject({ hours_expected: 24, hours_with_data: 18, missing_cost: 0.25 });
    expect(score.reasons).toEqual(['LOCATION_UNVERIFIED']);
  });

  it('gives LOW_AVAILABILITY under 67 % and QUALITY_BELOW_THRESHOLD under 0.5', () => {
    const hours = Array.from({ length: 11 }, (_, h) => hour(h, 60));
    const score = scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours }, QOD_1_0_0);
    expect(score.availability).toBeCloseTo(11 / 24, 6);
    expect(score.reasons).toEqual(['LOW_AVAILABILITY', 'QUALITY_BELOW_THRESHOLD', 'LOCATION_UNVERIFIED']);
    const none = scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours: [] }, QOD_1_0_0);
    expect(none).toMatchObject({ quality: 0, reasons: expect.arrayContaining(['NO_DATA']) });
  });

  it('charges each check the quality it took and names it from 2 % or 10 flagged readings', () => {
    const hours = Array.from({ length: 24 }, (_, h) => hour(h, 60));
    // 9 readings' temperature invalidated by the stuck check in one hour: 9/60 of a variable-hour of 3 × 24
    hours[3]!.valid[REQUIRED[0]!] = 51;
    hours[3]!.loss[C.stuck] = 9 / 60;
    hours[3]!.fail[C.stuck] = 9;
    const small = scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours }, QOD_1_0_0);
    expect(small.breakdown.checks).toEqual([expect.objectContaining({ check: 'stuck', cost: 0.002083, flagged: 9 })]);
    expect(small.reasons).not.toContain('STUCK_VALUES');
    hours[3]!.fail[C.stuck] = 10;
    expect(scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours }, QOD_1_0_0).reasons).toContain('STUCK_VALUES');
  });

  it('weighs hours by their share of a short epoch: 5 minutes of a 10-second device', () => {
    const start = DAY + 5 * 60_000;
    const r = hour(0, 30, 27, 30);
    const score = scoreEpoch(
      { meta: { ...meta, intervalS: 10 }, start, end: start + 5 * 60_000, hours: [r] },
      QOD_1_0_0,
    );
    expect(score).toMatchObject({ quality: 0.9, availability: 1 });
    expect(score.breakdown).toMatchObject({ hours_expected: 0.083333, readings: 30, readings_expected: 30 });
  });

  it('scores a suspended device 0 with its measured quality in the breakdown', () => {
    const hours = Array.from({ length: 24 }, (_, h) => hour(h, 60));
    const score = scoreEpoch(
      { meta: { ...meta, status: 'suspended' }, start: DAY, end: DAY + 24 * HOUR, hours },
      QOD_1_0_0,
    );
    expect(score).toMatchObject({ quality: 0, reasons: ['SUSPENDED', 'LOCATION_UNVERIFIED'] });
    expect(score.breakdown.measured_quality).toBe(1);
  });

  it('turns quarantine evidence into reasons: bad signatures, rewound seqs, a key signing a stored seq twice', () => {
    const hours = Array.from({ length: 24 }, (_, h) => hour(h, 60));
    applyQuarantine(hours[1]!, { BAD_SIGNATURE: 1, NON_INCREASING_SEQ: 2, REPLAYED_SEQ: 4 }, QOD_1_0_0);
    const four = scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours }, QOD_1_0_0);
    expect(four.reasons).toEqual(['LOCATION_UNVERIFIED', 'BAD_SIGNATURES', 'REPLAYED_MESSAGES']);
    expect(four.locationScore).toBe(0.5);
    // five messages signing stored seqs again with other content: a second holder of the key
    applyQuarantine(hours[2]!, { REPLAYED_SEQ: 1 }, QOD_1_0_0);
    const five = scoreEpoch({ meta, start: DAY, end: DAY + 24 * HOUR, hours }, QOD_1_0_0);
    expect(five).toMatchObject({ locationScore: 0, reasons: expect.arrayContaining(['CLONED_KEY_SUSPECTED']) });
    expect(five.breakdown.location.status).toBe('cloned');
  });
});
