import type { WalletPayout } from './types.js';

export interface PayoutPart {
  /** 1-based */
  readonly part: number;
  readonly parts: number;
  readonly payouts: readonly WalletPayout[];
}

/**
 * Cuts an epoch's wallet payouts (already sorted by wallet) into transactions of at most `perTransaction`
 * wallets. An epoch with nothing to pay still gets one part: a Memo-only transaction that anchors its root.
 */
export function planPayoutParts(payouts: readonly WalletPayout[], perTransaction: number): PayoutPart[] {
  if (!Number.isInteger(perTransaction) || perTransaction < 1) {
    throw new RangeError(`wallets per transaction must be a positive integer, got ${perTransaction}`);
  }
  const parts = Math.max(1, Math.ceil(payouts.length / perTransaction));
  return Array.from({ length: parts }, (_, i) => ({
    part: i + 1,
    parts,
    payouts: payouts.slice(i * perTransaction, (i + 1) * perTransaction),
  }));
}
