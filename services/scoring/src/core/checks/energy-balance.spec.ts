import { describe, expect, it } from 'vitest';
import { runChecks } from '../harness.js';
import { checkEnergyBalance } from './energy-balance.js';
import { meter } from './energy.spec-helper.js';

describe('energy balance check (Δ registers ≈ ∫ power dt)', () => {
  it('accepts registers that integrate the power', () => {
    expect(
      runChecks(
        'energy',
        meter(40, (i) => 500 + (i % 4) * 300),
        [checkEnergyBalance],
      ).flaggedBy('energy_balance'),
    ).toEqual([]);
  });

  it('flags power that the registers do not show (a stuck register with 2 kW drawn)', () => {
    const readings = meter(30, () => 2000).map((r) => ({
      ...r,
      metrics: { ...r.metrics, energy_import_t1: 1_000_000 },
    }));
    const result = runChecks('energy', readings, [checkEnergyBalance]);
    // first comparison needs 7.5 minutes of window
    expect(result.flaggedBy('energy_balance')[0]).toBe(8);
    expect(result.invalidVariables(8)).toEqual(['energy_import_t1', 'power_import']);
  });

  it('tolerates 40 Wh or 20 %', () => {
    // 15 minutes of 100 W is 25 Wh; registers advancing 64 Wh (39 Wh off) pass, 66 Wh (41 Wh off) do not
    const scaled = (factor: number) =>
      meter(16, () => 100).map((r, i) => ({
        ...r,
        metrics: { ...r.metrics, energy_import_t1: 1_000_000 + (i * factor * 25) / 15 },
      }));
    expect(runChecks('energy', scaled(64 / 25), [checkEnergyBalance]).flaggedBy('energy_balance')).toEqual([]);
    expect(runChecks('energy', scaled(66 / 25), [checkEnergyBalance]).flaggedBy('energy_balance')).toContain(15);
    // and 20 % of a large flow: 15 minutes of 3 kW is 750 Wh, 140 Wh off passes (150 allowed)
    const large = meter(16, () => 3000).map((r, i) => ({
      ...r,
      metrics: { ...r.metrics, energy_import_t1: 1_000_000 + (i * 890) / 15 },
    }));
    expect(runChecks('energy', large, [checkEnergyBalance]).flaggedBy('energy_balance')).toEqual([]);
  });
});
