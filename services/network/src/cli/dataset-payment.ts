import { MEMO_PROGRAM_ADDRESS, RpcGateway, signTransaction, type SolanaGateway } from '@groundtruth/programs';
import { getAddMemoInstruction } from '@solana-program/memo';
import { findAssociatedTokenPda, getTransferCheckedInstruction, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import type { Address, KeyPairSigner, Signature } from '@solana/kit';
import { CliError } from './cli-error.js';

/** What a quote asks the buyer to pay: `amount` base units of `mint` into `treasury`, with `memo`. */
export interface PaymentRequest {
  readonly amount: bigint;
  readonly mint: Address;
  readonly treasury: Address;
  readonly memo: string;
  readonly decimals: number;
}

/**
 * Pays a dataset quote from the buyer's wallet: one transaction with a Memo instruction carrying the order's memo
 * and a TransferChecked of the reward token from the buyer's associated token account into the treasury. Waits
 * until it is confirmed and returns its signature (what `POST /orders/:id/payment` takes).
 */
export async function payQuote(
  buyer: KeyPairSigner,
  request: PaymentRequest,
  gateway: SolanaGateway,
): Promise<Signature> {
  const [source] = await findAssociatedTokenPda({
    owner: buyer.address,
    mint: request.mint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  const balance = await gateway.tokenBalance(buyer.address, request.mint);
  if (balance < request.amount) {
    throw new CliError(
      `wallet ${buyer.address} holds ${balance} base units of ${request.mint}, the quote asks ${request.amount}`,
      'fund the wallet with the reward token (device owners earn it every epoch)',
    );
  }
  const instructions = [
    getAddMemoInstruction({ memo: request.memo }, { programAddress: MEMO_PROGRAM_ADDRESS }),
    getTransferCheckedInstruction({
      source,
      mint: request.mint,
      destination: request.treasury,
      authority: buyer,
      amount: request.amount,
      decimals: request.decimals,
    }),
  ];
  const signed = await signTransaction(instructions, buyer, await gateway.latestBlockhash());
  await gateway.send(signed);
  const outcome = await gateway.confirm(signed.signature, signed.lastValidBlockHeight, { timeoutMs: 90_000 });
  if (outcome?.status !== 'confirmed') {
    throw new CliError(
      `the payment ${signed.signature} did not confirm (${outcome?.status ?? 'timed out'})`,
      'nothing was paid if it expired; ask for a new quote and try again',
    );
  }
  return signed.signature;
}

export const rpcGateway = (url: string): SolanaGateway => new RpcGateway({ url });
