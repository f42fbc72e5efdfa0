import {
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  getU64Decoder,
  type Address,
  type Base64EncodedWireTransaction,
} from '@solana/kit';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { MEMO_PROGRAM_ADDRESS } from '../constants.js';

/** What a landed payout transaction did, read back from its wire bytes (for `epoch verify`). */
export interface InspectedPayout {
  readonly feePayer: Address;
  readonly blockhash: string;
  readonly memos: readonly string[];
  /** every SPL Token MintTo / MintToChecked, in order */
  readonly mints: readonly { readonly mint: Address; readonly tokenAccount: Address; readonly amount: bigint }[];
  /** associated token accounts created (idempotently) and their owners */
  readonly ataOwners: ReadonlyMap<Address, Address>;
}

const MINT_TO = 7;
const MINT_TO_CHECKED = 14;
const ATA_CREATE = 0;
const ATA_CREATE_IDEMPOTENT = 1;

/**
 * Decodes a transaction (base64 wire format) without trusting anything but its bytes. Address lookup tables are
 * not used by payouts; a transaction that uses them is rejected with a `RangeError`.
 */
export function inspectPayoutTransaction(wire: Base64EncodedWireTransaction): InspectedPayout {
  const transaction = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
  const compiled = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  if (compiled.version === 1) {
    throw new RangeError('payout transactions are v0 transactions');
  }
  if ('addressTableLookups' in compiled && (compiled.addressTableLookups?.length ?? 0) > 0) {
    throw new RangeError('payout transactions never use address lookup tables');
  }
  const keys = compiled.staticAccounts;
  const key = (index: number): Address => {
    const value = keys[index];
    if (value === undefined) {
      throw new RangeError(`account index ${index} outside the message`);
    }
    return value;
  };
  const memos: string[] = [];
  const mints: { mint: Address; tokenAccount: Address; amount: bigint }[] = [];
  const ataOwners = new Map<Address, Address>();
  const u64 = getU64Decoder();
  for (const ix of compiled.instructions) {
    const program = key(ix.programAddressIndex);
    const data = Uint8Array.from(ix.data ?? []);
    const accounts = ix.accountIndices ?? [];
    if (program === MEMO_PROGRAM_ADDRESS) {
      memos.push(new TextDecoder('utf-8', { fatal: true }).decode(data));
    } else if (
      program === TOKEN_PROGRAM_ADDRESS &&
      (data[0] === MINT_TO || data[0] === MINT_TO_CHECKED) &&
      data.length >= 9
    ) {
      mints.push({ mint: key(accounts[0]!), tokenAccount: key(accounts[1]!), amount: u64.decode(data, 1) });
    } else if (
      program === ASSOCIATED_TOKEN_PROGRAM_ADDRESS &&
      (data.length === 0 || data[0] === ATA_CREATE || data[0] === ATA_CREATE_IDEMPOTENT)
    ) {
      ataOwners.set(key(accounts[1]!), key(accounts[2]!));
    }
  }
  return { feePayer: key(0), blockhash: compiled.lifetimeToken, memos, mints, ataOwners };
}
