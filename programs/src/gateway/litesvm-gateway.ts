import {
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  lamports as toLamports,
  type Address,
  type Base64EncodedWireTransaction,
  type Blockhash,
  type Signature,
  type Transaction,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { BLOCKHASH_VALIDITY_BLOCKS } from '../constants.js';
import { GatewayBase } from './gateway-base.js';
import {
  GatewayError,
  type AccountSnapshot,
  type BlockhashLifetime,
  type LandedTransaction,
  type SignatureStatus,
  type SignedTransaction,
} from './solana-gateway.js';

const TRANSACTION_ERRORS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
];

/** A readable, stable description of a LiteSVM transaction error (its fieldless name, or its debug form). */
export function describeLiteSvmError(failure: FailedTransactionMetadata): string {
  const err: unknown = failure.err();
  return typeof err === 'number' ? (TRANSACTION_ERRORS[err] ?? `TransactionError(${err})`) : String(err);
}

/** Slot of block height 0; LiteSVM starts its clock far from zero, so heights stay small and readable. */
const SLOT_OFFSET = 1_000n;

export interface LiteSvmGatewayOptions {
  /** the chain; default a fresh `new LiteSVM()` (System, SPL Token, Token-2022, ATA and Memo programs loaded) */
  readonly svm?: LiteSVM;
  /** wall clock in ms; block height advances one per `msPerSlot` of it */
  readonly now?: () => number;
  readonly msPerSlot?: number;
  /** simulate before executing and refuse failing transactions, as an RPC node does (default true) */
  readonly preflight?: boolean;
  /**
   * transactions LiteSVM remembers (status lookups, duplicate detection); its own default is a few dozen, far
   * too few for an epoch's payouts. Default 1,000,000.
   */
  readonly historyCapacity?: number;
}

/** What LiteSVM itself does not keep: block height, live blockhashes, landed transactions' wire bytes. */
export interface LiteSvmGatewayState {
  readonly height: string;
  readonly blockhashes: readonly (readonly [Blockhash, string])[];
  readonly transactions: readonly (readonly [Signature, { readonly slot: string; readonly wire: string }])[];
}

/**
 * The chain in-process: LiteSVM runs the real SPL programs. This wrapper adds what a cluster has and LiteSVM
 * lacks: block height driven by a clock (one block per `msPerSlot`), a fresh blockhash per block that stays valid
 * for 150 blocks (LiteSVM alone accepts only its latest one), preflight simulation, and an archive of landed
 * transactions so `getTransaction` can return their bytes. `snapshot()` / `fromSnapshot()` persist all of it.
 */
export class LiteSvmGateway extends GatewayBase {
  readonly kind = 'litesvm';
  readonly svm: LiteSVM;
  private readonly clock: () => number;
  private readonly msPerSlot: number;
  private readonly preflight: boolean;
  private readonly startedAt: number;
  private baseHeight: bigint;
  private extraHeight = 0n;
  private issuedHeight = -1n;
  private readonly blockhashes = new Map<Blockhash, bigint>();
  private readonly archive = new Map<Signature, { slot: bigint; wire: Base64EncodedWireTransaction }>();

  constructor(options: LiteSvmGatewayOptions = {}, state?: LiteSvmGatewayState) {
    super();
    // The gateway enforces the 150-block window itself (LiteSVM would accept only the latest blockhash).
    this.svm = (options.svm ?? new LiteSVM())
      .withBlockhashCheck(false)
      .withTransactionHistory(BigInt(options.historyCapacity ?? 1_000_000));
    this.clock = options.now ?? Date.now;
    this.msPerSlot = options.msPerSlot ?? 400;
    this.preflight = options.preflight ?? true;
    this.startedAt = this.clock();
    this.baseHeight = state ? BigInt(state.height) : 0n;
    for (const [hash, lastValid] of state?.blockhashes ?? []) {
      this.blockhashes.set(hash, BigInt(lastValid));
    }
    for (const [signature, entry] of state?.transactions ?? []) {
      this.archive.set(signature, { slot: BigInt(entry.slot), wire: entry.wire as Base64EncodedWireTransaction });
    }
  }

  /** Restores a gateway from {@link snapshot} output: the same accounts, history, height and live blockhashes. */
  static fromSnapshot(bytes: Uint8Array, state: LiteSvmGatewayState, options: Omit<LiteSvmGatewayOptions, 'svm'> = {}) {
    return new LiteSvmGateway({ ...options, svm: LiteSVM.fromBytes(bytes) }, state);
  }

  snapshot(): { bytes: Uint8Array; state: LiteSvmGatewayState } {
    const height = this.sync();
    return {
      bytes: this.svm.toBytes(),
      state: {
        height: height.toString(),
        blockhashes: [...this.blockhashes].map(([hash, lastValid]) => [hash, lastValid.toString()] as const),
        transactions: [...this.archive].map(
          ([signature, { slot, wire }]) => [signature, { slot: slot.toString(), wire }] as const,
        ),
      },
    };
  }

  protected override now(): number {
    return this.clock();
  }

  /** Moves the chain forward `blocks` blocks at once (tests: expire a blockhash without waiting a minute). */
  advanceBlocks(blocks: number): void {
    this.extraHeight += BigInt(blocks);
  }

  /** Funds an account out of thin air, as devnet's faucet does. */
  airdrop(address: Address, lamports: bigint): void {
    const result = this.svm.airdrop(address, toLamports(lamports));
    if (result instanceof FailedTransactionMetadata || result === null) {
      throw new GatewayError('SEND_REJECTED', `airdrop to ${address} failed`);
    }
  }

  /** Brings block height up to the clock; each new block gets a blockhash valid for the next 150 blocks. */
  private sync(): bigint {
    const elapsed = BigInt(Math.max(0, Math.floor((this.clock() - this.startedAt) / this.msPerSlot)));
    const height = this.baseHeight + elapsed + this.extraHeight;
    if (height !== this.issuedHeight) {
      this.svm.warpToSlot(SLOT_OFFSET + height);
      this.svm.expireBlockhash();
      this.blockhashes.set(this.svm.latestBlockhash(), height + BLOCKHASH_VALIDITY_BLOCKS);
      this.issuedHeight = height;
      for (const [hash, lastValid] of this.blockhashes) {
        if (lastValid < height) {
          this.blockhashes.delete(hash);
        }
      }
    }
    return height;
  }

  async latestBlockhash(): Promise<BlockhashLifetime> {
    const height = this.sync();
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: height + BLOCKHASH_VALIDITY_BLOCKS };
  }

  async blockHeight(): Promise<bigint> {
    return this.sync();
  }

  async send(signed: SignedTransaction): Promise<Signature> {
    return this.sendWire(signed.wire);
  }

  /** Broadcast of raw wire bytes (what the JSON-RPC bridge receives). */
  async sendWire(wire: Base64EncodedWireTransaction): Promise<Signature> {
    const height = this.sync();
    let transaction: Transaction;
    let blockhash: Blockhash;
    try {
      transaction = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
      blockhash = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes).lifetimeToken as Blockhash;
    } catch (error) {
      throw new GatewayError('SEND_REJECTED', `undecodable transaction: ${(error as Error).message}`);
    }
    const signature = getSignatureFromTransaction(transaction);
    const lastValid = this.blockhashes.get(blockhash);
    if (lastValid === undefined || lastValid < height) {
      throw new GatewayError('BLOCKHASH_EXPIRED', `blockhash ${blockhash} not found (height ${height})`);
    }
    if (this.svm.getTransaction(signature) !== null) {
      throw new GatewayError('SEND_REJECTED', 'AlreadyProcessed');
    }
    if (this.preflight) {
      const simulated = this.svm.simulateTransaction(transaction);
      if (simulated instanceof FailedTransactionMetadata) {
        throw new GatewayError('SEND_REJECTED', `preflight: ${describeLiteSvmError(simulated)}`, {
          logs: simulated.meta().logs(),
        });
      }
    }
    const result = this.svm.sendTransaction(transaction);
    if (result instanceof FailedTransactionMetadata && this.svm.getTransaction(signature) === null) {
      throw new GatewayError('SEND_REJECTED', describeLiteSvmError(result), { logs: result.meta().logs() });
    }
    // Landed (successfully, or failed with its fee charged): the chain now knows the signature.
    this.archive.set(signature, { slot: SLOT_OFFSET + height, wire: getBase64EncodedWireTransaction(transaction) });
    return signature;
  }

  async signatureStatuses(signatures: readonly Signature[]): Promise<(SignatureStatus | null)[]> {
    this.sync();
    return signatures.map((signature) => {
      const landed = this.svm.getTransaction(signature);
      if (landed === null) {
        return null;
      }
      const slot = this.archive.get(signature)?.slot ?? SLOT_OFFSET;
      // LiteSVM has no forks: what executed is final.
      const err = landed instanceof FailedTransactionMetadata ? describeLiteSvmError(landed) : null;
      return { slot, confirmationStatus: 'finalized', err };
    });
  }

  async getTransaction(signature: Signature): Promise<LandedTransaction | null> {
    const landed = this.svm.getTransaction(signature);
    const archived = this.archive.get(signature);
    if (landed === null || archived === undefined) {
      return null;
    }
    const failed = landed instanceof FailedTransactionMetadata;
    return {
      signature,
      slot: archived.slot,
      err: failed ? describeLiteSvmError(landed) : null,
      wire: archived.wire,
      logs: failed ? landed.meta().logs() : landed.logs(),
    };
  }

  async getAccount(address: Address): Promise<AccountSnapshot | null> {
    const account = this.svm.getAccount(address);
    if (!account.exists) {
      return null;
    }
    return {
      address,
      owner: account.programAddress,
      lamports: account.lamports,
      data: Uint8Array.from(account.data),
      executable: account.executable,
    };
  }

  async minimumBalanceForRentExemption(size: number): Promise<bigint> {
    return this.svm.minimumBalanceForRentExemption(BigInt(size));
  }
}
