import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQualityTiers, priceOf, qualityMultiplierBps } from './pricing.js';
import { shareOfSale, splitProRata } from './revenue-share.js';

const tiers = parseQualityTiers('0:1,0.5:1.5,0.8:2.25');

describe('pricing', () => {
  it('parses tiers into basis points', () => {
    expect(tiers).toEqual([
      { minQuality: 0, multiplierBps: 10_000 },
      { minQuality: 0.5, multiplierBps: 15_000 },
      { minQuality: 0.8, multiplierBps: 22_500 },
    ]);
    expect(() => parseQualityTiers('0.5=2')).toThrow(/0.5=2/);
    expect(() => parseQualityTiers('1.5:2')).toThrow(RangeError);
  });

  it('applies the highest tier the minimum quality reaches', () => {
    expect(qualityMultiplierBps(tiers, 0)).toBe(10_000);
    expect(qualityMultiplierBps(tiers, 0.79)).toBe(15_000);
    expect(qualityMultiplierBps(tiers, 0.8)).toBe(22_500);
    expect(qualityMultiplierBps([], 0.9)).toBe(10_000);
  });

  it('prices rows × unit price × multiplier in base units, rounding up, with a minimum charge', () => {
    const list = { unitPrice: 3n, tiers, minimumAmount: 100n };
    expect(priceOf(list, 1_000, 0.8)).toEqual({ unitPrice: 3n, multiplierBps: 22_500, amount: 6_750n });
    expect(priceOf(list, 1_001, 0.5).amount).toBe(4_505n); // 4504.5 rounds up
    expect(priceOf(list, 10, 0).amount).toBe(100n);
    expect(priceOf({ ...list, unitPrice: 10n ** 12n }, 2 ** 40, 0.8).amount).toBe((2n ** 40n * 10n ** 12n * 9n) / 4n);
    expect(() => priceOf(list, -1, 0)).toThrow(RangeError);
  });
});

describe('revenue share', () => {
  it('takes the configured share of a sale, rounding down', () => {
    expect(shareOfSale(1_000n, 2_500)).toBe(250n);
    expect(shareOfSale(999n, 3_333)).toBe(332n);
    expect(() => shareOfSale(1n, 10_001)).toThrow(RangeError);
  });

  it('splits pro rata to rows with largest remainders, ties to the smaller device id', () => {
    expect(
      splitProRata(100n, [
        { device: 'b', rows: 1 },
        { device: 'a', rows: 1 },
        { device: 'c', rows: 1 },
      ]),
    ).toEqual([
      { device: 'a', rows: 1, amount: 34n },
      { device: 'b', rows: 1, amount: 33n },
      { device: 'c', rows: 1, amount: 33n },
    ]);
    expect(
      splitProRata(10n, [
        { device: 'a', rows: 3 },
        { device: 'b', rows: 1 },
      ]),
    ).toEqual([
      { device: 'a', rows: 3, amount: 8n },
      { device: 'b', rows: 1, amount: 2n },
    ]);
    expect(splitProRata(0n, [{ device: 'a', rows: 3 }])).toEqual([]);
    expect(splitProRata(5n, [{ device: 'a', rows: 0 }])).toEqual([]);
  });

  it('always adds up exactly to the share and never pays a device more than one unit over its exact part (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.uniqueArray(
          fc.record({ device: fc.string({ minLength: 1, maxLength: 4 }), rows: fc.nat({ max: 100_000 }) }),
          {
            selector: (c) => c.device,
            minLength: 1,
            maxLength: 40,
          },
        ),
        (total, contributions) => {
          const parts = splitProRata(total, contributions);
          const rows = contributions.reduce((sum, c) => sum + BigInt(c.rows), 0n);
          if (rows === 0n) {
            expect(parts).toEqual([]);
            return;
          }
          expect(parts.reduce((sum, p) => sum + p.amount, 0n)).toBe(total);
          for (const part of parts) {
            const exactFloor = (total * BigInt(part.rows)) / rows;
            expect(part.amount - exactFloor).toBeGreaterThanOrEqual(0n);
            expect(part.amount - exactFloor).toBeLessThanOrEqual(1n);
          }
        },
      ),
    );
  });
});
