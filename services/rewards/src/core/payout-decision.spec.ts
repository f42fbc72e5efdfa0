import { describe, expect, it } from 'vitest';
import { backoffMs, decidePayoutAction } from './payout-decision.js';
import { planPayoutParts } from './payout-plan.js';

const signed = { state: 'signed', signature: 'sig', lastValidBlockHeight: 100n } as const;

describe('decidePayoutAction (exactly-once)', () => {
  it('signs a part that has no signature yet, and never touches a confirmed one', () => {
    expect(decidePayoutAction({ state: 'pending', signature: null, lastValidBlockHeight: null }, null)).toBe('sign');
    expect(decidePayoutAction({ ...signed, state: 'confirmed' }, { status: null, blockHeight: 500n })).toBe('done');
  });

  it('rebroadcasts the same bytes while the blockhash lives, re-signs only once it expired unseen', () => {
    expect(decidePayoutAction(signed, { status: null, blockHeight: 100n })).toBe('rebroadcast');
    expect(decidePayoutAction(signed, { status: null, blockHeight: 101n })).toBe('sign');
  });

  it('confirms a final success, waits for a landed one, re-signs a landed failure', () => {
    expect(decidePayoutAction(signed, { status: { err: null, final: true }, blockHeight: 500n })).toBe('confirm');
    expect(decidePayoutAction(signed, { status: { err: null, final: false }, blockHeight: 500n })).toBe('wait');
    expect(decidePayoutAction(signed, { status: { err: 'InstructionError', final: true }, blockHeight: 50n })).toBe(
      'sign',
    );
    expect(decidePayoutAction(signed, null)).toBe('wait');
  });

  it('backs off exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, 100, 1_000))).toEqual([0, 100, 200, 400, 1_000]);
  });
});

describe('planPayoutParts', () => {
  it('cuts wallets into parts, and anchors an empty epoch with one memo-only part', () => {
    const payouts = Array.from({ length: 5 }, (_, i) => ({ wallet: `w${i}`, amount: 1n }));
    expect(planPayoutParts(payouts, 2).map((p) => [p.part, p.parts, p.payouts.length])).toEqual([
      [1, 3, 2],
      [2, 3, 2],
      [3, 3, 1],
    ]);
    expect(planPayoutParts([], 9)).toEqual([{ part: 1, parts: 1, payouts: [] }]);
    expect(() => planPayoutParts(payouts, 0)).toThrow(RangeError);
  });
});
