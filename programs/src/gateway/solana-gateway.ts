import type { Address, Base64EncodedWireTransaction, Blockhash, Signature } from '@solana/kit';

/** A blockhash and the last block height at which a transaction using it can still land. */
export interface BlockhashLifetime {
  readonly blockhash: Blockhash;
  readonly lastValidBlockHeight: bigint;
}

/** A fully signed transaction ready to broadcast; `signature` is the fee payer's, which names the transaction. */
export interface SignedTransaction extends BlockhashLifetime {
  readonly signature: Signature;
  readonly wire: Base64EncodedWireTransaction;
  /** wire size in bytes */
  readonly size: number;
}

export type Commitment = 'processed' | 'confirmed' | 'finalized';

/** What the chain knows about a signature. `err` is set when the transaction landed but failed (nothing applied). */
export interface SignatureStatus {
  readonly slot: bigint;
  readonly confirmationStatus: Commitment | null;
  readonly err: string | null;
}

/** A landed transaction as the chain returns it. */
export interface LandedTransaction {
  readonly signature: Signature;
  readonly slot: bigint;
  readonly err: string | null;
  /** the transaction exactly as landed (base64 wire format) */
  readonly wire: Base64EncodedWireTransaction;
  readonly logs: readonly string[];
}

export interface AccountSnapshot {
  readonly address: Address;
  /** the program that owns the account */
  readonly owner: Address;
  readonly lamports: bigint;
  readonly data: Uint8Array;
  readonly executable: boolean;
}

export type ConfirmOutcome =
  | { readonly status: 'confirmed'; readonly slot: bigint }
  | { readonly status: 'failed'; readonly slot: bigint; readonly err: string }
  /** the blockhash expired and the chain never saw the signature: the transaction can no longer land */
  | { readonly status: 'expired' };

export interface ConfirmOptions {
  readonly commitment?: Commitment;
  /** between status polls (default 400 ms, one slot) */
  readonly pollMs?: number;
  /** give up waiting (and return `undefined`) after this long; default: wait until confirmed or expired */
  readonly timeoutMs?: number;
}

/**
 * Everything the network does with the chain, behind one interface: a LiteSVM implementation (embedded mode,
 * tests, benchmarks) and a JSON-RPC implementation (devnet, mainnet), both fed by the same transaction builders.
 * Methods throw {@link GatewayError} with a stable code; they never return half-answers.
 */
export interface SolanaGateway {
  readonly kind: 'litesvm' | 'rpc';
  latestBlockhash(): Promise<BlockhashLifetime>;
  blockHeight(): Promise<bigint>;
  /** Broadcasts (after a preflight simulation). A rejection throws `SEND_REJECTED`; an unreachable node `RPC_UNAVAILABLE`. */
  send(transaction: SignedTransaction): Promise<Signature>;
  /** Statuses in the order asked; `null` = the chain does not know the signature (yet). Searches history. */
  signatureStatuses(signatures: readonly Signature[]): Promise<(SignatureStatus | null)[]>;
  /** Waits until the signature is confirmed, failed, or can no longer land. */
  confirm(
    signature: Signature,
    lastValidBlockHeight: bigint,
    options?: ConfirmOptions,
  ): Promise<ConfirmOutcome | undefined>;
  getTransaction(signature: Signature): Promise<LandedTransaction | null>;
  getAccount(address: Address): Promise<AccountSnapshot | null>;
  lamports(address: Address): Promise<bigint>;
  /** Balance in base units of `owner`'s associated token account for `mint` (0 when it does not exist). */
  tokenBalance(owner: Address, mint: Address): Promise<bigint>;
  minimumBalanceForRentExemption(size: number): Promise<bigint>;
}

export const GATEWAY_ERROR_CODES = [
  /** the node could not be reached or answered with a transport error; the request may or may not have arrived */
  'RPC_UNAVAILABLE',
  /** the node answered with an error we do not map more precisely */
  'RPC_ERROR',
  /** the transaction was refused before landing (preflight simulation failed, bad signature, …) */
  'SEND_REJECTED',
  /** the transaction's blockhash is unknown or too old */
  'BLOCKHASH_EXPIRED',
  /** the chain returned data this code cannot decode */
  'BAD_RESPONSE',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly context: { readonly method?: string; readonly logs?: readonly string[]; readonly cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isGatewayError(error: unknown, code?: GatewayErrorCode): error is GatewayError {
  return error instanceof GatewayError && (code === undefined || error.code === code);
}
