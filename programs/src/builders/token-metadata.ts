import { canonicalize } from '@groundtruth/protocol';
import type { Address, Instruction } from '@solana/kit';
import { getAddMemoInstruction } from '@solana-program/memo';
import { MEMO_PROGRAM_ADDRESS } from '../constants.js';
import type { TokenMetadata } from '../deployment.js';

const PREFIX = 'gt:token:';

/** What the creation transaction anchors on chain about the token (Memo v2 text). */
export interface AnchoredTokenMetadata extends TokenMetadata {
  readonly mint: Address;
  readonly decimals: number;
}

/**
 * `gt:token:<RFC 8785 JSON of {decimals, mint, name, symbol, uri}>`: the token's name, symbol and URI written into
 * the transaction that creates the mint, so anyone can read them from the chain's history until an on-chain
 * metadata program is used (see programs/README.md).
 */
export function tokenMetadataMemo(metadata: AnchoredTokenMetadata): string {
  const { mint, decimals, name, symbol, uri } = metadata;
  return PREFIX + canonicalize({ decimals, mint, name, symbol, uri });
}

/** The inverse of {@link tokenMetadataMemo}; `undefined` for any other text (never throws). */
export function parseTokenMetadataMemo(text: string): AnchoredTokenMetadata | undefined {
  if (!text.startsWith(PREFIX)) {
    return undefined;
  }
  try {
    const value = JSON.parse(text.slice(PREFIX.length)) as Partial<AnchoredTokenMetadata>;
    const ok =
      typeof value.mint === 'string' &&
      Number.isInteger(value.decimals) &&
      typeof value.name === 'string' &&
      typeof value.symbol === 'string' &&
      typeof value.uri === 'string';
    return ok ? (value as AnchoredTokenMetadata) : undefined;
  } catch {
    return undefined;
  }
}

export function tokenMetadataInstruction(metadata: AnchoredTokenMetadata): Instruction {
  return getAddMemoInstruction({ memo: tokenMetadataMemo(metadata) }, { programAddress: MEMO_PROGRAM_ADDRESS });
}
