import type { Address, Signature } from '@solana/kit';
import { findAssociatedTokenPda, getTokenDecoder, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import type {
  AccountSnapshot,
  BlockhashLifetime,
  Commitment,
  ConfirmOptions,
  ConfirmOutcome,
  LandedTransaction,
  SignatureStatus,
  SignedTransaction,
  SolanaGateway,
} from './solana-gateway.js';

const RANK: Record<Commitment, number> = { processed: 0, confirmed: 1, finalized: 2 };

/** Whether a status has reached the wanted commitment. */
export function meetsCommitment(status: SignatureStatus, wanted: Commitment): boolean {
  return status.confirmationStatus !== null && RANK[status.confirmationStatus] >= RANK[wanted];
}

/** Confirmation and token balances, written once over the primitives both implementations provide. */
export abstract class GatewayBase implements SolanaGateway {
  abstract readonly kind: 'litesvm' | 'rpc';
  abstract latestBlockhash(): Promise<BlockhashLifetime>;
  abstract blockHeight(): Promise<bigint>;
  abstract send(transaction: SignedTransaction): Promise<Signature>;
  abstract signatureStatuses(signatures: readonly Signature[]): Promise<(SignatureStatus | null)[]>;
  abstract getTransaction(signature: Signature): Promise<LandedTransaction | null>;
  abstract getAccount(address: Address): Promise<AccountSnapshot | null>;
  abstract minimumBalanceForRentExemption(size: number): Promise<bigint>;

  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  protected now(): number {
    return Date.now();
  }

  async lamports(address: Address): Promise<bigint> {
    return (await this.getAccount(address))?.lamports ?? 0n;
  }

  async tokenBalance(owner: Address, mint: Address): Promise<bigint> {
    const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    const account = await this.getAccount(ata);
    if (!account || account.owner !== TOKEN_PROGRAM_ADDRESS) {
      return 0n;
    }
    return getTokenDecoder().decode(account.data).amount;
  }

  async confirm(
    signature: Signature,
    lastValidBlockHeight: bigint,
    options: ConfirmOptions = {},
  ): Promise<ConfirmOutcome | undefined> {
    const commitment = options.commitment ?? 'confirmed';
    const pollMs = options.pollMs ?? 400;
    const deadline = options.timeoutMs === undefined ? Infinity : this.now() + options.timeoutMs;
    for (;;) {
      const [status] = await this.signatureStatuses([signature]);
      if (status?.err) {
        return { status: 'failed', slot: status.slot, err: status.err };
      }
      if (status && meetsCommitment(status, commitment)) {
        return { status: 'confirmed', slot: status.slot };
      }
      // Unknown (or not yet at the commitment): it can still land until its blockhash is too old. Checking the
      // height after the status avoids calling a transaction expired that landed in between.
      if (!status && (await this.blockHeight()) > lastValidBlockHeight) {
        const [again] = await this.signatureStatuses([signature]);
        if (!again) {
          return { status: 'expired' };
        }
        continue;
      }
      if (this.now() >= deadline) {
        return undefined;
      }
      await this.sleep(pollMs);
    }
  }
}
