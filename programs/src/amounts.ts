import { isAddress, type Address } from '@solana/kit';
import { REWARD_TOKEN_DECIMALS } from './constants.js';

/** An owner wallet: a base58 Solana address. The same brand as kit's `Address`, named for what it holds. */
export type WalletAddress = Address;

export function isWalletAddress(value: unknown): value is WalletAddress {
  return typeof value === 'string' && isAddress(value);
}

/** Brands a string after checking it; throws a `RangeError` naming the value otherwise. */
export function walletAddress(value: string): WalletAddress {
  if (!isWalletAddress(value)) {
    throw new RangeError(`not a base58 Solana address: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Largest amount an SPL Token account can hold (u64). */
export const MAX_TOKEN_AMOUNT = 2n ** 64n - 1n;

/**
 * Token amounts are `bigint` base units everywhere; only display code turns them into decimal text.
 *
 * @example
 * formatTokenAmount(1_500_000n) // '1.5'
 */
export function formatTokenAmount(baseUnits: bigint, decimals = REWARD_TOKEN_DECIMALS): string {
  const negative = baseUnits < 0n;
  const digits = (negative ? -baseUnits : baseUnits).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Parses decimal token text ("12", "0.000001") into base units; more fraction digits than the token has, a sign, or
 * anything that is not a plain decimal number is a `RangeError` (never silently rounded).
 */
export function parseTokenAmount(text: string, decimals = REWARD_TOKEN_DECIMALS): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) {
    throw new RangeError(`not a token amount: ${JSON.stringify(text)}`);
  }
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    throw new RangeError(`${text} has more than ${decimals} decimals`);
  }
  const value = BigInt(match[1]! + fraction.padEnd(decimals, '0'));
  if (value > MAX_TOKEN_AMOUNT) {
    throw new RangeError(`${text} exceeds the u64 range of a token account`);
  }
  return value;
}
