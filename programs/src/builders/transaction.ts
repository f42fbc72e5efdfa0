import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionSize,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { TRANSACTION_SIZE_LIMIT } from '../constants.js';
import type { BlockhashLifetime, SignedTransaction } from '../gateway/solana-gateway.js';

/** A transaction that does not fit in {@link TRANSACTION_SIZE_LIMIT} bytes. */
export class TransactionTooLargeError extends RangeError {
  override readonly name = 'TransactionTooLargeError';
  constructor(readonly size: number) {
    super(`transaction of ${size} bytes exceeds the ${TRANSACTION_SIZE_LIMIT}-byte limit`);
  }
}

function message(instructions: readonly Instruction[], feePayer: TransactionSigner, lifetime: BlockhashLifetime) {
  return pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
}

/** Wire size of the v0 transaction these instructions make, signatures included, without signing it. */
export function transactionSize(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: BlockhashLifetime,
): number {
  return getTransactionSize(compileTransaction(message(instructions, feePayer, lifetime)));
}

/**
 * Compiles a v0 transaction, signs it with every signer its instructions name (fee payer, mint authority or
 * multisig members, new accounts) and returns it ready to broadcast. Signing is deterministic (ed25519): the same
 * instructions and blockhash always give the same signature, which is what makes rebroadcasting safe.
 */
export async function signTransaction(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: BlockhashLifetime,
): Promise<SignedTransaction> {
  const signed = await signTransactionMessageWithSigners(message(instructions, feePayer, lifetime));
  const size = getTransactionSize(signed);
  if (size > TRANSACTION_SIZE_LIMIT) {
    throw new TransactionTooLargeError(size);
  }
  return {
    signature: getSignatureFromTransaction(signed),
    wire: getBase64EncodedWireTransaction(signed),
    size,
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: lifetime.lastValidBlockHeight,
  };
}
