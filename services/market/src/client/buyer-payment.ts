import {
  isGatewayError,
  MEMO_PROGRAM_ADDRESS,
  signTransaction,
  type ConfirmOutcome,
  type SignedTransaction,
  type SolanaGateway,
} from '@groundtruth/programs';
import { address, type Address, type Instruction, type Signature, type TransactionSigner } from '@solana/kit';
import { getAddMemoInstruction } from '@solana-program/memo';
import {
  findAssociatedTokenPda,
  getMintDecoder,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import { MarketError } from '../core/market-error.js';
import type { Quote } from '../core/quote.js';

/** What of a quote the payment needs (a SignedQuote fits). */
export type PayableQuote = Pick<Quote, 'orderId' | 'amount' | 'mint' | 'treasury' | 'memo' | 'expiresAt'>;

/**
 * The two instructions that pay a quote, in the order the market reads them: a Memo carrying the order's memo
 * byte for byte, then an SPL `TransferChecked` of exactly `amount` base units of `mint` from the buyer's
 * associated token account into the treasury token account. The buyer (`authority`) signs the transfer.
 *
 * @param decimals the mint's decimals (TransferChecked states them; see {@link mintDecimals})
 */
export async function paymentInstructions(
  quote: PayableQuote,
  authority: TransactionSigner,
  decimals: number,
): Promise<Instruction[]> {
  const mint = address(quote.mint);
  const [source] = await findAssociatedTokenPda({
    owner: authority.address,
    mint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  return [
    getAddMemoInstruction({ memo: quote.memo }, { programAddress: MEMO_PROGRAM_ADDRESS }),
    getTransferCheckedInstruction({
      source,
      mint,
      destination: address(quote.treasury),
      authority,
      amount: BigInt(quote.amount),
      decimals,
    }),
  ];
}

/** The decimals of a mint, read from the chain; TX_UNREADABLE when the account is not an SPL mint. */
export async function mintDecimals(gateway: SolanaGateway, mint: Address | string): Promise<number> {
  const account = await gateway.getAccount(address(mint));
  if (!account || account.owner !== TOKEN_PROGRAM_ADDRESS) {
    throw new MarketError('TX_UNREADABLE', `${mint} is not an SPL token mint on this chain`);
  }
  return getMintDecoder().decode(account.data).decimals;
}

/** The payment transaction signed by the buyer (fee payer unless another is given), ready to send. */
export async function buildPaymentTransaction(input: {
  readonly gateway: SolanaGateway;
  readonly quote: PayableQuote;
  readonly buyer: TransactionSigner;
  readonly feePayer?: TransactionSigner;
}): Promise<SignedTransaction> {
  const decimals = await mintDecimals(input.gateway, input.quote.mint);
  const instructions = await paymentInstructions(input.quote, input.buyer, decimals);
  return signTransaction(instructions, input.feePayer ?? input.buyer, await input.gateway.latestBlockhash());
}

export interface PaidQuote {
  readonly signature: Signature;
  readonly outcome: ConfirmOutcome;
}

/**
 * Builds, sends and confirms the payment of a quote; resolves once the chain has confirmed it (then submit
 * the signature to the market). A transfer the chain refuses (insufficient balance, no token account, …)
 * rejects with TX_FAILED; one that could not land before its blockhash expired with TX_NOT_FOUND.
 *
 * @example
 * const { signature } = await payQuote({ gateway, quote, buyer });
 * await client.submitPayment(quote.orderId, signature);
 */
export async function payQuote(input: {
  readonly gateway: SolanaGateway;
  readonly quote: PayableQuote;
  readonly buyer: TransactionSigner;
  readonly feePayer?: TransactionSigner;
  /** give up waiting for confirmation after this long (default: until confirmed or expired) */
  readonly timeoutMs?: number;
}): Promise<PaidQuote> {
  const signed = await buildPaymentTransaction(input);
  let signature: Signature;
  try {
    signature = await input.gateway.send(signed);
  } catch (error) {
    if (isGatewayError(error) && error.code === 'SEND_REJECTED') {
      throw new MarketError('TX_FAILED', `the chain refused the payment: ${error.message}`, {
        signature: signed.signature,
      });
    }
    throw error;
  }
  const outcome = await input.gateway.confirm(signature, signed.lastValidBlockHeight, {
    commitment: 'confirmed',
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
  });
  if (outcome === undefined) {
    throw new MarketError('TX_NOT_CONFIRMED', `payment ${signature} not confirmed in time`, { signature });
  }
  if (outcome.status === 'failed') {
    throw new MarketError('TX_FAILED', `the payment failed on chain: ${outcome.err}`, { signature });
  }
  if (outcome.status === 'expired') {
    throw new MarketError('TX_NOT_FOUND', 'the payment expired before it landed: pay again', { signature });
  }
  return { signature, outcome };
}
