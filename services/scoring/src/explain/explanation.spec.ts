import { describe, expect, it } from 'vitest';
import type { EpochBreakdown } from '../core/epoch.js';
import { costliestChecks, exampleKey, explainScore, type ExplainInput } from './explanation.js';

const START = Date.UTC(2026, 5, 1);
const breakdown = (over: Partial<EpochBreakdown> = {}): EpochBreakdown => ({
  version: 'qod-1.0.0',
  status: 'active',
  hours_expected: 24,
  hours_with_data: 22,
  readings: 1320,
  readings_expected: 1440,
  availability: 0.916667,
  measured_quality: 0.62,
  variables: [{ name: 'temperature', quality: 0.4, present: 1320, valid: 700 }],
  missing_cost: 0.08,
  checks: [
    {
      check: 'stuck',
      reason: 'STUCK_VALUES',
      about: 'value unchanged for longer than plausible',
      cost: 0.25,
      flagged: 620,
    },
    { check: 'jump', reason: 'JUMPS', about: 'change faster than the variable can change', cost: 0.05, flagged: 12 },
    {
      check: 'integrity',
      reason: 'BAD_SIGNATURES',
      about: 'messages with bad signatures or proofs quarantined',
      cost: 0,
      flagged: 3,
    },
  ],
  location: { score: 0.5, status: 'unverified', hoursObserved: 0, hoursVerified: 0, cloneEvidence: 0 },
  ...over,
});

const input = (over: Partial<ExplainInput> = {}): ExplainInput => ({
  device: 'dev',
  kind: 'weather',
  epoch: 7,
  start: START,
  end: START + 86_400_000,
  version: 'qod-1.0.0',
  quality: 0.62,
  locationScore: 0.5,
  availability: 0.916667,
  reasons: ['LOCATION_UNVERIFIED', 'STUCK_VALUES', 'JUMPS', 'BAD_SIGNATURES'],
  breakdown: breakdown(),
  examples: [
    { check: 'stuck', ts: START + 60_000, seq: 2, checks: ['stuck'], variables: ['temperature'] },
    { check: 'stuck', ts: START + 120_000, seq: 3, checks: ['stuck'], variables: ['temperature'] },
    { check: 'integrity', hour: START + 8 * 3_600_000, detail: { failed: 2 } },
  ],
  scoredAt: '2026-06-02T01:00:00.000Z',
  runId: 4,
  readings: new Map([
    [exampleKey(2, START + 60_000), { received_at: '2026-06-01T00:01:01.500Z', values: { temperature: 14.2 } }],
  ]),
  otherVersions: [],
  ...over,
});

describe('explainScore', () => {
  it('lists what cost the most first, with missing data among them and the stored example readings', () => {
    const e = explainScore(input(), { top: 3 });
    expect(e.costliest.map((c) => [c.check, c.cost])).toEqual([
      ['stuck', 0.25],
      ['missing_data', 0.08],
      ['jump', 0.05],
    ]);
    const stuck = e.costliest[0]!;
    expect(stuck.examples).toEqual([
      {
        check: 'stuck',
        at: '2026-06-01T00:01:00.000Z',
        seq: 2,
        checks: ['stuck'],
        variables: ['temperature'],
        reading: { received_at: '2026-06-01T00:01:01.500Z', values: { temperature: 14.2 } },
      },
      // a reading no longer stored is still named, without values
      { check: 'stuck', at: '2026-06-01T00:02:00.000Z', seq: 3, checks: ['stuck'], variables: ['temperature'] },
    ]);
    expect(e.costliest[1]).toMatchObject({ reason: 'LOW_AVAILABILITY', flagged: 120 });
    expect(e.summary).toBe(
      'quality 0.620 of 1 in epoch 7 (algorithm qod-1.0.0): 0.250 lost to stuck (STUCK_VALUES); ' +
        '0.080 lost to missing readings (LOW_AVAILABILITY); 0.050 lost to jump (JUMPS); location score 0.500 (unverified).',
    );
  });

  it('gives every reason code a meaning', () => {
    const e = explainScore(input());
    expect(e.reason_details.map((r) => r.code)).toEqual(e.reasons);
    expect(e.reason_details.every((r) => r.meaning.length > 10)).toBe(true);
    expect(e.reason_details[0]!.meaning).toMatch(/declared location could not be confirmed/);
  });

  it('shows evidence-only checks after the costly ones, with their hour-level examples', () => {
    const all = costliestChecks(input(), 10);
    expect(all.map((c) => c.check)).toEqual(['stuck', 'missing_data', 'jump', 'integrity']);
    expect(all[3]).toMatchObject({
      cost: 0,
      detail: 'messages with bad signatures or proofs quarantined: 3 found (evidence, no quality cost)',
      examples: [{ check: 'integrity', hour: '2026-06-01T08:00:00.000Z', detail: { failed: 2 } }],
    });
  });

  it('charges a suspension with what was measured', () => {
    const e = explainScore(
      input({ quality: 0, reasons: ['SUSPENDED'], breakdown: breakdown({ status: 'suspended' }) }),
      { top: 1 },
    );
    expect(e.costliest).toEqual([expect.objectContaining({ check: 'status', reason: 'SUSPENDED', cost: 0.62 })]);
  });

  it('says so when nothing cost quality', () => {
    const clean = breakdown({ checks: [], missing_cost: 0, measured_quality: 1 });
    const e = explainScore(input({ quality: 1, reasons: [], breakdown: clean, examples: [] }));
    expect(e.costliest).toEqual([]);
    expect(e.summary).toMatch(/nothing cost quality/);
  });
});
