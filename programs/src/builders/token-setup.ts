import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getInitializeMultisig2Instruction,
  getMintSize,
  getMultisigSize,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import { REWARD_TOKEN_DECIMALS } from '../constants.js';

/** Account sizes the setup needs rent for. */
export const MINT_ACCOUNT_SIZE = getMintSize();
export const MULTISIG_ACCOUNT_SIZE = getMultisigSize();

/**
 * Creates the reward mint: a system account owned by SPL Token, initialised with 6 decimals, the given mint
 * authority (a keypair or a multisig address) and no freeze authority (holders' balances can never be frozen).
 */
export function createMintInstructions(input: {
  payer: TransactionSigner;
  mint: TransactionSigner;
  mintAuthority: Address;
  rentLamports: bigint;
  decimals?: number;
}): Instruction[] {
  return [
    getCreateAccountInstruction({
      payer: input.payer,
      newAccount: input.mint,
      lamports: input.rentLamports,
      space: MINT_ACCOUNT_SIZE,
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMint2Instruction({
      mint: input.mint.address,
      decimals: input.decimals ?? REWARD_TOKEN_DECIMALS,
      mintAuthority: input.mintAuthority,
      freezeAuthority: null,
    }),
  ];
}

/** Creates an SPL Token multisig account requiring `m` of `signers` (n ≤ 11). */
export function createMultisigInstructions(input: {
  payer: TransactionSigner;
  multisig: TransactionSigner;
  m: number;
  signers: readonly Address[];
  rentLamports: bigint;
}): Instruction[] {
  if (input.signers.length < 1 || input.signers.length > 11 || input.m < 1 || input.m > input.signers.length) {
    throw new RangeError(`a multisig needs 1 ≤ m ≤ n ≤ 11, got m=${input.m} n=${input.signers.length}`);
  }
  return [
    getCreateAccountInstruction({
      payer: input.payer,
      newAccount: input.multisig,
      lamports: input.rentLamports,
      space: MULTISIG_ACCOUNT_SIZE,
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMultisig2Instruction({ multisig: input.multisig.address, m: input.m, signers: [...input.signers] }),
  ];
}

/** The associated token account of `owner` for `mint`, and the idempotent instruction that creates it. */
export async function associatedTokenAccount(input: {
  payer: TransactionSigner;
  owner: Address;
  mint: Address;
}): Promise<{ address: Address; instruction: Instruction }> {
  const [ata] = await findAssociatedTokenPda({
    owner: input.owner,
    mint: input.mint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  return {
    address: ata,
    instruction: getCreateAssociatedTokenIdempotentInstruction({
      payer: input.payer,
      ata,
      owner: input.owner,
      mint: input.mint,
    }),
  };
}
