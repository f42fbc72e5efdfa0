import { getAddressDecoder, type Address, type Blockhash, type Instruction, type TransactionSigner } from '@solana/kit';
import { getAddMemoInstruction } from '@solana-program/memo';
import { getMintToInstruction } from '@solana-program/token';
import { MEMO_PROGRAM_ADDRESS, TRANSACTION_SIZE_LIMIT } from '../constants.js';
import { mintToAuthority, type MintAuthority } from '../mint-authority.js';
import { associatedTokenAccount } from './token-setup.js';
import { transactionSize } from './transaction.js';

/** One owner wallet's payout in a transaction. */
export interface PayoutTransfer {
  readonly wallet: Address;
  readonly amount: bigint;
}

export interface PayoutMemo {
  readonly epoch: number;
  /** Merkle root of the epoch manifest, 64 lowercase hex digits */
  readonly root: string;
  /** 1-based */
  readonly part: number;
  readonly parts: number;
}

const MEMO_PATTERN = /^gt:epoch:(\d{1,15}):([0-9a-f]{64}):(\d{1,9})\/(\d{1,9})$/;

/** `gt:epoch:<n>:<root>:<part>/<parts>`: anchors the manifest root on chain with every payout transaction. */
export function payoutMemo(memo: PayoutMemo): string {
  const text = `gt:epoch:${memo.epoch}:${memo.root}:${memo.part}/${memo.parts}`;
  if (parsePayoutMemo(text) === undefined) {
    throw new RangeError(`not a valid payout memo: ${text}`);
  }
  return text;
}

/** The inverse of {@link payoutMemo}; `undefined` for any other text (never throws). */
export function parsePayoutMemo(text: string): PayoutMemo | undefined {
  const match = MEMO_PATTERN.exec(text);
  if (!match) {
    return undefined;
  }
  const [epoch, part, parts] = [Number(match[1]), Number(match[3]), Number(match[4])];
  if (!Number.isSafeInteger(epoch) || part < 1 || part > parts) {
    return undefined;
  }
  return { epoch, root: match[2]!, part, parts };
}

export interface PayoutInstructionsInput {
  readonly payer: TransactionSigner;
  readonly mint: Address;
  readonly authority: MintAuthority;
  readonly transfers: readonly PayoutTransfer[];
  readonly memo: PayoutMemo;
}

/**
 * The instructions of one payout transaction: for each wallet an idempotent creation of its associated token
 * account (so a first payout and a repeat look the same) and a `MintTo` of its amount; then the Memo that anchors
 * the epoch root. Zero amounts and repeated wallets are programming errors here (the planner removes them).
 */
export async function payoutInstructions(input: PayoutInstructionsInput): Promise<Instruction[]> {
  const seen = new Set<string>();
  const instructions: Instruction[] = [];
  for (const { wallet, amount } of input.transfers) {
    if (amount <= 0n || seen.has(wallet)) {
      throw new RangeError(`payout to ${wallet}: amounts must be positive and wallets distinct`);
    }
    seen.add(wallet);
    const ata = await associatedTokenAccount({ payer: input.payer, owner: wallet, mint: input.mint });
    instructions.push(
      ata.instruction,
      getMintToInstruction({ mint: input.mint, token: ata.address, amount, ...mintToAuthority(input.authority) }),
    );
  }
  instructions.push(getAddMemoInstruction({ memo: payoutMemo(input.memo) }, { programAddress: MEMO_PROGRAM_ADDRESS }));
  return instructions;
}

const PLACEHOLDER_BLOCKHASH = '11111111111111111111111111111111' as Blockhash;

function placeholderWallet(i: number): Address {
  const bytes = new Uint8Array(32).fill(0x5a);
  new DataView(bytes.buffer).setUint32(0, i + 1);
  return getAddressDecoder().decode(bytes);
}

/**
 * The most wallets one payout transaction can carry within 1232 bytes, for this payer and mint authority, with
 * the longest memo the epoch can produce. Measured by compiling real transactions, not estimated.
 */
export async function maxWalletsPerTransaction(input: {
  payer: TransactionSigner;
  mint: Address;
  authority: MintAuthority;
  /** worst-case memo; default the longest the memo format allows (15-digit epoch, 9-digit part counts) */
  memo?: PayoutMemo;
}): Promise<number> {
  const memo = input.memo ?? {
    epoch: 999_999_999_999_999,
    root: 'f'.repeat(64),
    part: 999_999_999,
    parts: 999_999_999,
  };
  const lifetime = { blockhash: PLACEHOLDER_BLOCKHASH, lastValidBlockHeight: 0n };
  let fits = 0;
  for (let n = 1; n <= 64; n++) {
    const transfers = Array.from({ length: n }, (_, i) => ({ wallet: placeholderWallet(i), amount: 2n ** 63n }));
    const instructions = await payoutInstructions({ ...input, transfers, memo });
    if (transactionSize(instructions, input.payer, lifetime) > TRANSACTION_SIZE_LIMIT) {
      break;
    }
    fits = n;
  }
  return fits;
}
