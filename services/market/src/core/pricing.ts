/**
 * Quote pricing in the reward token's base units (bigint, never floats): rows × unit price × the quality
 * multiplier of the tier the query's minimum quality reaches, rounded up, never below the minimum charge.
 */
export interface QualityTier {
  /** the tier applies from this minimum quality (0..1) up */
  readonly minQuality: number;
  /** multiplier in basis points: 10_000 = ×1 */
  readonly multiplierBps: number;
}

export interface PriceList {
  readonly unitPrice: bigint;
  readonly tiers: readonly QualityTier[];
  readonly minimumAmount: bigint;
}

export interface Price {
  readonly unitPrice: bigint;
  readonly multiplierBps: number;
  readonly amount: bigint;
}

const BPS = 10_000n;

/** The multiplier of the highest tier whose threshold the query's minimum quality reaches (×1 below all). */
export function qualityMultiplierBps(tiers: readonly QualityTier[], minQuality: number): number {
  let best: QualityTier | undefined;
  for (const tier of tiers) {
    if (minQuality >= tier.minQuality && (best === undefined || tier.minQuality > best.minQuality)) {
      best = tier;
    }
  }
  return best?.multiplierBps ?? 10_000;
}

export function priceOf(list: PriceList, rows: number, minQuality: number): Price {
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  }
  const multiplierBps = qualityMultiplierBps(list.tiers, minQuality);
  const gross = BigInt(rows) * list.unitPrice * BigInt(multiplierBps);
  const amount = (gross + BPS - 1n) / BPS; // round up: the network never undercharges by rounding
  return {
    unitPrice: list.unitPrice,
    multiplierBps,
    amount: amount < list.minimumAmount ? list.minimumAmount : amount,
  };
}

/**
 * Parses tiers written as `minQuality:multiplier` pairs, e.g. `0:1,0.5:1.5,0.8:2.5` (multipliers with at
 * most four decimals). Throws RangeError with the offending part.
 */
export function parseQualityTiers(text: string): QualityTier[] {
  if (text.trim() === '') {
    return [];
  }
  return text.split(',').map((part) => {
    const match = /^\s*(0(?:\.\d+)?|1(?:\.0+)?)\s*:\s*(\d+(?:\.\d{1,4})?)\s*$/.exec(part);
    if (!match) {
      throw new RangeError(`quality tier "${part}" is not minQuality:multiplier (e.g. 0.8:2.5)`);
    }
    const [whole, fraction = ''] = match[2]!.split('.');
    return { minQuality: Number(match[1]), multiplierBps: Number(whole) * 10_000 + Number(fraction.padEnd(4, '0')) };
  });
}
