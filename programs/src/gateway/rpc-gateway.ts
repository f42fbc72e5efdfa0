import {
  createSolanaRpc,
  getBase64Encoder,
  isSolanaError,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  type Address,
  type Base64EncodedWireTransaction,
  type Signature,
} from '@solana/kit';
import { GatewayBase } from './gateway-base.js';
import {
  GatewayError,
  type AccountSnapshot,
  type BlockhashLifetime,
  type Commitment,
  type LandedTransaction,
  type SignatureStatus,
  type SignedTransaction,
} from './solana-gateway.js';

export interface RpcGatewayOptions {
  /** `SOLANA_RPC_URL`: an RPC node or provider (devnet, mainnet), or the embedded JSON-RPC bridge */
  readonly url: string;
  /** commitment for reads and preflight (default `confirmed`) */
  readonly commitment?: Commitment;
  /** per request (default 30 s); a request that takes longer fails with `RPC_UNAVAILABLE` */
  readonly timeoutMs?: number;
}

function describeErr(err: unknown): string | null {
  if (err === null || err === undefined) {
    return null;
  }
  return typeof err === 'string'
    ? err
    : JSON.stringify(err, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The gateway over Solana's JSON-RPC API (kit's RPC client), for devnet and mainnet. */
export class RpcGateway extends GatewayBase {
  readonly kind = 'rpc';
  private readonly rpc;
  private readonly commitment: Commitment;
  private readonly timeoutMs: number;

  constructor(options: RpcGatewayOptions) {
    super();
    this.rpc = createSolanaRpc(options.url);
    this.commitment = options.commitment ?? 'confirmed';
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends one request with a timeout and maps every failure to a {@link GatewayError}. */
  private async call<T>(
    method: string,
    request: { send(options?: { abortSignal?: AbortSignal }): Promise<T> },
  ): Promise<T> {
    try {
      return await request.send({ abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      if (isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
        const logs = (error.context as { logs?: readonly string[] }).logs;
        const cause = error.cause instanceof Error ? error.cause.message : error.message;
        const code = isSolanaError(error.cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)
          ? 'BLOCKHASH_EXPIRED'
          : 'SEND_REJECTED';
        throw new GatewayError(code, `${method}: ${cause}`, { method, ...(logs ? { logs } : {}), cause: error });
      }
      if (
        isSolanaError(error, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR) ||
        (error instanceof Error &&
          (error.name === 'AbortError' || error.name === 'TimeoutError' || error.name === 'TypeError'))
      ) {
        throw new GatewayError('RPC_UNAVAILABLE', `${method}: ${(error as Error).message}`, { method, cause: error });
      }
      throw new GatewayError('RPC_ERROR', `${method}: ${(error as Error).message ?? String(error)}`, {
        method,
        cause: error,
      });
    }
  }

  async latestBlockhash(): Promise<BlockhashLifetime> {
    const { value } = await this.call(
      'getLatestBlockhash',
      this.rpc.getLatestBlockhash({ commitment: this.commitment }),
    );
    return { blockhash: value.blockhash, lastValidBlockHeight: value.lastValidBlockHeight };
  }

  async blockHeight(): Promise<bigint> {
    return this.call('getBlockHeight', this.rpc.getBlockHeight({ commitment: this.commitment }));
  }

  async send(transaction: SignedTransaction): Promise<Signature> {
    return this.call(
      'sendTransaction',
      this.rpc.sendTransaction(transaction.wire, { encoding: 'base64', preflightCommitment: this.commitment }),
    );
  }

  async signatureStatuses(signatures: readonly Signature[]): Promise<(SignatureStatus | null)[]> {
    const { value } = await this.call(
      'getSignatureStatuses',
      this.rpc.getSignatureStatuses(signatures, { searchTransactionHistory: true }),
    );
    if (value.length !== signatures.length) {
      throw new GatewayError('BAD_RESPONSE', `getSignatureStatuses: ${value.length} statuses for ${signatures.length}`);
    }
    return value.map((status) =>
      status === null
        ? null
        : { slot: status.slot, confirmationStatus: status.confirmationStatus, err: describeErr(status.err) },
    );
  }

  async getTransaction(signature: Signature): Promise<LandedTransaction | null> {
    const result = await this.call(
      'getTransaction',
      this.rpc.getTransaction(signature, {
        encoding: 'base64',
        commitment: this.commitment === 'processed' ? 'confirmed' : this.commitment,
        maxSupportedTransactionVersion: 0,
      }),
    );
    if (result === null) {
      return null;
    }
    return {
      signature,
      slot: result.slot,
      err: describeErr(result.meta?.err),
      wire: result.transaction[0] as Base64EncodedWireTransaction,
      logs: result.meta?.logMessages ?? [],
    };
  }

  async getAccount(address: Address): Promise<AccountSnapshot | null> {
    const { value } = await this.call(
      'getAccountInfo',
      this.rpc.getAccountInfo(address, { encoding: 'base64', commitment: this.commitment }),
    );
    if (value === null) {
      return null;
    }
    return {
      address,
      owner: value.owner,
      lamports: value.lamports,
      data: Uint8Array.from(getBase64Encoder().encode(value.data[0])),
      executable: value.executable,
    };
  }

  override async lamports(address: Address): Promise<bigint> {
    const { value } = await this.call('getBalance', this.rpc.getBalance(address, { commitment: this.commitment }));
    return value;
  }

  async minimumBalanceForRentExemption(size: number): Promise<bigint> {
    return this.call('getMinimumBalanceForRentExemption', this.rpc.getMinimumBalanceForRentExemption(BigInt(size)));
  }
}
