import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTokenAmount, isWalletAddress, MAX_TOKEN_AMOUNT, parseTokenAmount, walletAddress } from './amounts.js';

describe('token amounts', () => {
  it('formats base units with 6 decimals, trimming trailing zeros', () => {
    expect(formatTokenAmount(0n)).toBe('0');
    expect(formatTokenAmount(1n)).toBe('0.000001');
    expect(formatTokenAmount(1_500_000n)).toBe('1.5');
    expect(formatTokenAmount(12_000_000n)).toBe('12');
    expect(formatTokenAmount(-2_000_001n)).toBe('-2.000001');
  });

  it('parses what it formats, for every u64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_TOKEN_AMOUNT }), (value) => {
        expect(parseTokenAmount(formatTokenAmount(value))).toBe(value);
      }),
    );
  });

  it('refuses to round, and refuses anything but plain decimals', () => {
    expect(() => parseTokenAmount('0.0000001')).toThrow(RangeError);
    expect(() => parseTokenAmount('-1')).toThrow(RangeError);
    expect(() => parseTokenAmount('1e6')).toThrow(RangeError);
    expect(() => parseTokenAmount('18446744073709.551616')).toThrow(/u64/);
    expect(parseTokenAmount(' 3.25 ')).toBe(3_250_000n);
  });

  it('recognises wallet addresses', () => {
    expect(isWalletAddress('11111111111111111111111111111111')).toBe(true);
    expect(isWalletAddress('not-an-address')).toBe(false);
    expect(isWalletAddress(42)).toBe(false);
    expect(() => walletAddress('0OIl')).toThrow(RangeError);
  });
});
