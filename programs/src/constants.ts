import { address, type Address } from '@solana/kit';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { SYSTEM_PROGRAM_ADDRESS } from '@solana-program/system';

export { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, SYSTEM_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS };

/**
 * SPL Memo v2 (`MemoSq4…`), deployed on every cluster and bundled by LiteSVM. `@solana-program/memo` 0.15 defaults
 * to a newer address that LiteSVM does not carry, so every memo here names v2 explicitly.
 */
export const MEMO_PROGRAM_ADDRESS: Address = address('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

/** The reward token has 6 decimals: 1 token = 1,000,000 base units. */
export const REWARD_TOKEN_DECIMALS = 6;

/** Wire size limit of a legacy or v0 transaction (the IPv6 MTU minus headers). */
export const TRANSACTION_SIZE_LIMIT = 1232;

/** Blocks a blockhash stays valid after the one that produced it (Solana's MAX_PROCESSING_AGE). */
export const BLOCKHASH_VALIDITY_BLOCKS = 150n;
