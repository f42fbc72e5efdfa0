import { MarketError } from './market-error.js';

/** Commitment levels in increasing strength (Solana's). */
export const COMMITMENTS = ['processed', 'confirmed', 'finalized'] as const;
export type Commitment = (typeof COMMITMENTS)[number];

/** A token amount credited to one token account by the transaction (post − pre balance, when positive). */
export interface ObservedCredit {
  readonly account: string;
  readonly mint: string;
  readonly amount: bigint;
}

/**
 * What the chain says about a transaction, in a shape independent of the RPC or LiteSVM that read it.
 * Adapters build it from balances and instructions; the check below is pure.
 */
export interface ObservedTransaction {
  readonly signature: string;
  readonly commitment: Commitment;
  /** the transaction's error, when it failed (a failed transaction moves no tokens) */
  readonly error: string | null;
  /** ms UTC of the block, when known */
  readonly blockTime: number | null;
  readonly credits: readonly ObservedCredit[];
  /** texts of the Memo program instructions, in order */
  readonly memos: readonly string[];
}

export interface ExpectedPayment {
  readonly orderId: string;
  readonly mint: string;
  readonly treasury: string;
  readonly amount: bigint;
  readonly memo: string;
  readonly expiresAt: number;
}

export interface AcceptedPayment {
  readonly signature: string;
  readonly amount: bigint;
  readonly paidAt: number;
}

/**
 * Decides whether a transaction pays an order: confirmed at least at `required`, succeeded, carries the
 * order's memo, credits the treasury token account in the right mint with at least the quoted amount, and
 * landed before the quote expired (block time; the time it was reported when the block time is unknown).
 * Throws MarketError with the first failing reason; reuse across orders is the store's job (TX_REUSED).
 */
export function checkPayment(
  expected: ExpectedPayment,
  observed: ObservedTransaction | undefined,
  required: Commitment,
  now: number,
): AcceptedPayment {
  if (observed === undefined) {
    throw new MarketError('TX_NOT_FOUND', 'the transaction is not on chain (yet)', { orderId: expected.orderId });
  }
  const context = { orderId: expected.orderId, signature: observed.signature };
  if (observed.error !== null) {
    throw new MarketError('TX_FAILED', `the transaction failed on chain: ${observed.error}`, context);
  }
  if (COMMITMENTS.indexOf(observed.commitment) < COMMITMENTS.indexOf(required)) {
    throw new MarketError(
      'TX_NOT_CONFIRMED',
      `the transaction is ${observed.commitment}, ${required} is needed`,
      context,
    );
  }
  const paidAt = observed.blockTime ?? now;
  if (paidAt > expected.expiresAt) {
    throw new MarketError('QUOTE_EXPIRED', `paid at ${new Date(paidAt).toISOString()}, after the quote expired`, {
      ...context,
      expiresAt: expected.expiresAt,
    });
  }
  if (!observed.memos.includes(expected.memo)) {
    throw new MarketError('WRONG_MEMO', `the transaction carries no memo "${expected.memo}"`, {
      ...context,
      memos: observed.memos.join(' | ').slice(0, 200),
    });
  }
  const toTreasury = observed.credits.filter((c) => c.account === expected.treasury);
  const rightMint = toTreasury.filter((c) => c.mint === expected.mint);
  if (rightMint.length === 0) {
    if (toTreasury.length > 0 || observed.credits.some((c) => c.mint !== expected.mint)) {
      throw new MarketError('WRONG_MINT', `the payment is not in the reward token ${expected.mint}`, context);
    }
    throw new MarketError(
      'WRONG_DESTINATION',
      `the transaction pays nothing into the treasury ${expected.treasury}`,
      context,
    );
  }
  const amount = rightMint.reduce((sum, c) => sum + c.amount, 0n);
  if (amount < expected.amount) {
    throw new MarketError('UNDERPAID', `paid ${amount} base units, the quote asks ${expected.amount}`, {
      ...context,
      paid: amount.toString(),
      due: expected.amount.toString(),
    });
  }
  return { signature: observed.signature, amount, paidAt };
}
