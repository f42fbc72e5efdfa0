import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion } from './apportion.js';
import { emissionForEpoch, poolsByKind } from './emission.js';

describe('apportion (largest remainder)', () => {
  it('pays the total exactly, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 18n }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          const parts = apportion(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0n);
          if (sum === 0n) {
            expect(parts.every((p) => p === 0n)).toBe(true);
            return;
          }
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((p, i) => {
            const floor = (total * weights[i]!) / sum;
            expect(p === floor || p === floor + 1n).toBe(true);
          });
        },
      ),
    );
  });

  it('gives leftover units to the largest remainders, ties to the earlier item', () => {
    expect(apportion(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(apportion(2n, [1n, 2n, 1n, 2n])).toEqual([0n, 1n, 0n, 1n]);
    expect(apportion(5n, [0n, 0n])).toEqual([0n, 0n]);
    expect(() => apportion(-1n, [1n])).toThrow(RangeError);
    expect(() => apportion(1n, [-1n])).toThrow(RangeError);
  });
});

describe('emission schedule', () => {
  const base = { perEpoch: 1_000_000_000n, startEpoch: 10, halvingEpochs: 0, decayPpm: 0 };

  it('emits nothing before the start, the full amount from it', () => {
    expect(emissionForEpoch(base, 9)).toBe(0n);
    expect(emissionForEpoch(base, 10)).toBe(1_000_000_000n);
    expect(emissionForEpoch(base, 5000)).toBe(1_000_000_000n);
  });

  it('halves every interval and decays per epoch, rounding down at each step', () => {
    const halving = { ...base, halvingEpochs: 365 };
    expect(emissionForEpoch(halving, 10 + 364)).toBe(1_000_000_000n);
    expect(emissionForEpoch(halving, 10 + 365)).toBe(500_000_000n);
    expect(emissionForEpoch(halving, 10 + 365 * 70)).toBe(0n);
    const decay = { ...base, decayPpm: 1000 };
    expect(emissionForEpoch(decay, 11)).toBe(999_000_000n);
    expect(emissionForEpoch(decay, 12)).toBe(998_001_000n);
  });

  it('splits the emission by kind to the base unit', () => {
    const pools = poolsByKind(1_000_001n, { weather: 2, vehicle: 1, energy: 1 });
    expect(pools.weather + pools.vehicle + pools.energy).toBe(1_000_001n);
    expect(pools).toEqual({ weather: 500_001n, vehicle: 250_000n, energy: 250_000n });
  });
});
