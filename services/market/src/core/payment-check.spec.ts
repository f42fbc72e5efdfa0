import { describe, expect, it } from 'vitest';
import { MarketError } from './market-error.js';
import { checkPayment, type ExpectedPayment, type ObservedTransaction } from './payment-check.js';

const expected: ExpectedPayment = {
  orderId: 'o1',
  mint: 'Mint1111',
  treasury: 'Treasury1111',
  amount: 5_000n,
  memo: 'groundtruth:order:o1',
  expiresAt: 2_000_000,
};

const good: ObservedTransaction = {
  signature: 'sig1',
  commitment: 'confirmed',
  error: null,
  blockTime: 1_900_000,
  credits: [{ account: 'Treasury1111', mint: 'Mint1111', amount: 5_000n }],
  memos: ['groundtruth:order:o1'],
};

function codeOf(
  observed: ObservedTransaction | undefined,
  required: 'processed' | 'confirmed' | 'finalized' = 'confirmed',
  now = 1_950_000,
): string {
  try {
    checkPayment(expected, observed, required, now);
    return 'ACCEPTED';
  } catch (error) {
    expect(error).toBeInstanceOf(MarketError);
    return (error as MarketError).code;
  }
}

describe('checkPayment', () => {
  it('accepts an exact or larger payment with the memo, confirmed before expiry', () => {
    expect(checkPayment(expected, good, 'confirmed', 1_950_000)).toEqual({
      signature: 'sig1',
      amount: 5_000n,
      paidAt: 1_900_000,
    });
    const over = { ...good, credits: [...good.credits, { account: 'Treasury1111', mint: 'Mint1111', amount: 1n }] };
    expect(checkPayment(expected, over, 'confirmed', 1_950_000).amount).toBe(5_001n);
    expect(codeOf({ ...good, memos: ['other', expected.memo] })).toBe('ACCEPTED');
  });

  it('refuses each bad payment with its own reason code', () => {
    expect(codeOf(undefined)).toBe('TX_NOT_FOUND');
    expect(codeOf({ ...good, error: 'InstructionError' })).toBe('TX_FAILED');
    expect(codeOf({ ...good, commitment: 'processed' })).toBe('TX_NOT_CONFIRMED');
    expect(codeOf({ ...good, commitment: 'confirmed' }, 'finalized')).toBe('TX_NOT_CONFIRMED');
    expect(codeOf({ ...good, memos: [] })).toBe('WRONG_MEMO');
    expect(codeOf({ ...good, memos: ['groundtruth:order:o2'] })).toBe('WRONG_MEMO');
    expect(codeOf({ ...good, credits: [{ account: 'Elsewhere', mint: 'Mint1111', amount: 5_000n }] })).toBe(
      'WRONG_DESTINATION',
    );
    expect(codeOf({ ...good, credits: [] })).toBe('WRONG_DESTINATION');
    expect(codeOf({ ...good, credits: [{ account: 'OtherAta', mint: 'OtherMint', amount: 5_000n }] })).toBe(
      'WRONG_MINT',
    );
    expect(codeOf({ ...good, credits: [{ account: 'Treasury1111', mint: 'Mint1111', amount: 4_999n }] })).toBe(
      'UNDERPAID',
    );
    expect(codeOf({ ...good, blockTime: 2_000_001 })).toBe('QUOTE_EXPIRED');
  });

  it('judges expiry by block time, else by when the payment is reported', () => {
    expect(codeOf({ ...good, blockTime: 1_999_999 }, 'confirmed', 9_000_000)).toBe('ACCEPTED');
    expect(codeOf({ ...good, blockTime: null }, 'confirmed', 2_000_001)).toBe('QUOTE_EXPIRED');
    expect(codeOf({ ...good, blockTime: null }, 'confirmed', 1_999_000)).toBe('ACCEPTED');
  });

  it('names amounts in the UNDERPAID context', () => {
    const underpaid = { ...good, credits: [{ account: 'Treasury1111', mint: 'Mint1111', amount: 10n }] };
    const error = (() => {
      try {
        checkPayment(expected, underpaid, 'confirmed', 0);
      } catch (caught) {
        return caught as MarketError;
      }
      throw new Error('an underpayment was accepted');
    })();
    expect(error.context).toMatchObject({ paid: '10', due: '5000', orderId: 'o1' });
  });
});
