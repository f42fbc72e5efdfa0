import {
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  getU64Decoder,
  isSignature,
  type Address,
  type Signature,
} from '@solana/kit';
import { getTokenDecoder, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import {
  isGatewayError,
  MEMO_PROGRAM_ADDRESS,
  type LandedTransaction,
  type SolanaGateway,
} from '@groundtruth/programs';
import { MarketError } from '../core/market-error.js';
import type { ObservedCredit, ObservedTransaction } from '../core/payment-check.js';
import { PaymentObserver } from './payment.observer.js';

const TRANSFER = 3;
const TRANSFER_CHECKED = 12;

interface DecodedTransfers {
  readonly memos: string[];
  /** destination token account, amount, and the mint when the instruction names it (TransferChecked) */
  readonly transfers: { destination: Address; amount: bigint; mint?: Address }[];
}

/**
 * Top-level SPL Token transfers and Memo texts of a landed transaction, from its wire bytes. Legacy and v0
 * messages without address lookup tables are read; anything else is TX_UNREADABLE (a wallet's plain
 * transfer never needs them). Transfers made by other programs through CPI are not counted.
 */
export function decodePaymentTransaction(landed: LandedTransaction): DecodedTransfers {
  let compiled;
  try {
    const transaction = getTransactionDecoder().decode(getBase64Encoder().encode(landed.wire));
    compiled = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  } catch (error) {
    throw new MarketError('TX_UNREADABLE', `undecodable transaction (${(error as Error).message})`);
  }
  if (
    !('instructions' in compiled) ||
    ('addressTableLookups' in compiled && (compiled.addressTableLookups?.length ?? 0) > 0)
  ) {
    throw new MarketError('TX_UNREADABLE', 'pay with a legacy or v0 transaction without address lookup tables');
  }
  const keys = compiled.staticAccounts;
  const key = (index: number | undefined): Address => {
    const value = index === undefined ? undefined : keys[index];
    if (value === undefined) {
      throw new MarketError('TX_UNREADABLE', `account index ${index} outside the message`);
    }
    return value;
  };
  const u64 = getU64Decoder();
  const memos: string[] = [];
  const transfers: DecodedTransfers['transfers'] = [];
  for (const ix of compiled.instructions) {
    const program = key(ix.programAddressIndex);
    const data = ix.data ?? new Uint8Array();
    const accounts = ix.accountIndices ?? [];
    if (program === MEMO_PROGRAM_ADDRESS) {
      try {
        memos.push(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(data)));
      } catch {
        // not UTF-8: not our memo
      }
    } else if (program === TOKEN_PROGRAM_ADDRESS && data[0] === TRANSFER && data.length >= 9) {
      transfers.push({ destination: key(accounts[1]), amount: u64.decode(data, 1) });
    } else if (program === TOKEN_PROGRAM_ADDRESS && data[0] === TRANSFER_CHECKED && data.length >= 10) {
      transfers.push({ destination: key(accounts[2]), mint: key(accounts[1]), amount: u64.decode(data, 1) });
    }
  }
  return { memos, transfers };
}

/** kit's `isSignature` throws on characters outside base58; this never throws. */
export function isBase58Signature(value: string): boolean {
  try {
    return /^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(value) && isSignature(value);
  } catch {
    return false;
  }
}

/** The payment observer over the programs' SolanaGateway (LiteSVM in embedded mode and tests, RPC otherwise). */
export class GatewayPaymentObserver extends PaymentObserver {
  constructor(private readonly gateway: SolanaGateway) {
    super();
  }

  async observe(signature: string): Promise<ObservedTransaction | undefined> {
    if (!isBase58Signature(signature)) {
      throw new MarketError('BAD_QUERY', 'not a base58 transaction signature', { path: 'signature' });
    }
    try {
      const [status] = await this.gateway.signatureStatuses([signature as Signature]);
      if (!status) {
        return undefined;
      }
      const landed = await this.gateway.getTransaction(signature as Signature);
      if (!landed) {
        return undefined;
      }
      const decoded = decodePaymentTransaction(landed);
      const credits: ObservedCredit[] = [];
      for (const transfer of decoded.transfers) {
        // Transfer (unchecked) names no mint: it is the destination account's (source and destination agree).
        const mint = transfer.mint ?? (await this.mintOf(transfer.destination));
        if (mint !== undefined) {
          credits.push({ account: transfer.destination, mint, amount: transfer.amount });
        }
      }
      return {
        signature,
        commitment: status.confirmationStatus ?? 'processed',
        error: status.err ?? landed.err,
        blockTime: null,
        credits,
        memos: decoded.memos,
      };
    } catch (error) {
      if (isGatewayError(error)) {
        throw new MarketError('CHAIN_UNAVAILABLE', `the chain could not be read: ${error.message}`);
      }
      throw error;
    }
  }

  private async mintOf(tokenAccount: Address): Promise<Address | undefined> {
    const account = await this.gateway.getAccount(tokenAccount);
    if (!account || account.owner !== TOKEN_PROGRAM_ADDRESS) {
      return undefined;
    }
    return getTokenDecoder().decode(account.data).mint;
  }
}
