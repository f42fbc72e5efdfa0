import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  getBase58Decoder,
  getBase64Decoder,
  isAddress,
  isSignature,
  type Address,
  type Base64EncodedWireTransaction,
  type Signature,
} from '@solana/kit';
import { FailedTransactionMetadata } from 'litesvm';
import type { LiteSvmGateway } from './litesvm-gateway.js';
import { isGatewayError } from './solana-gateway.js';

interface JsonRpcRequest {
  readonly jsonrpc?: string;
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
}

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const INVALID_PARAMS = -32602;

function param<T>(params: unknown, index: number, check: (v: unknown) => v is T, what: string): T {
  const value = Array.isArray(params) ? (params[index] as unknown) : undefined;
  if (!check(value)) {
    throw new RpcFailure(INVALID_PARAMS, `param ${index}: expected ${what}`);
  }
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isAddressParam = (v: unknown): v is Address => typeof v === 'string' && isAddress(v);
const isSignatureList = (v: unknown): v is Signature[] =>
  Array.isArray(v) && v.length <= 256 && v.every((s) => typeof s === 'string' && isSignature(s));

/**
 * Solana's JSON-RPC API, the subset this project's {@link RpcGateway} and wallets' basic reads use, answered by a
 * {@link LiteSvmGateway}: in embedded mode the chain is reachable over HTTP like a local validator, and tests run
 * the RPC gateway against real SPL programs. Integers are written as exact JSON numbers (u64 safe).
 */
export function createJsonRpcHandler(gateway: LiteSvmGateway): (request: JsonRpcRequest) => Promise<unknown> {
  const context = async () => ({ slot: 1_000n + (await gateway.blockHeight()) });
  const methods: Record<string, (params: unknown) => Promise<unknown>> = {
    getHealth: async () => 'ok',
    getVersion: async () => ({ 'solana-core': 'litesvm', 'feature-set': 0 }),
    getSlot: async () => (await context()).slot,
    getBlockHeight: async () => gateway.blockHeight(),
    getLatestBlockhash: async () => ({ context: await context(), value: await gateway.latestBlockhash() }),
    getMinimumBalanceForRentExemption: async (params) =>
      gateway.minimumBalanceForRentExemption(
        Number(param(params, 0, (v): v is number => Number.isSafeInteger(v), 'a size')),
      ),
    getBalance: async (params) => ({
      context: await context(),
      value: await gateway.lamports(param(params, 0, isAddressParam, 'an address')),
    }),
    getAccountInfo: async (params) => {
      const account = await gateway.getAccount(param(params, 0, isAddressParam, 'an address'));
      return {
        context: await context(),
        value: account && {
          data: [getBase64Decoder().decode(account.data), 'base64'],
          executable: account.executable,
          lamports: account.lamports,
          owner: account.owner,
          rentEpoch: 2n ** 64n - 1n,
          space: account.data.length,
        },
      };
    },
    sendTransaction: async (params) => {
      const config = (Array.isArray(params) ? params[1] : undefined) as { encoding?: string } | undefined;
      if (config?.encoding !== 'base64') {
        throw new RpcFailure(INVALID_PARAMS, 'only base64 encoding is supported');
      }
      const wire = param(params, 0, isString, 'a base64 transaction') as Base64EncodedWireTransaction;
      try {
        return await gateway.sendWire(wire);
      } catch (error) {
        if (isGatewayError(error)) {
          // Standard names where there is one; anything else reaches kit as an unknown transaction error.
          const err =
            error.code === 'BLOCKHASH_EXPIRED'
              ? 'BlockhashNotFound'
              : error.message.includes('AlreadyProcessed')
                ? 'AlreadyProcessed'
                : error.message;
          throw new RpcFailure(-32002, `Transaction simulation failed: ${error.message}`, {
            err,
            logs: error.context.logs ?? [],
            accounts: null,
            unitsConsumed: 0,
          });
        }
        throw error;
      }
    },
    getSignatureStatuses: async (params) => {
      const statuses = await gateway.signatureStatuses(param(params, 0, isSignatureList, 'up to 256 signatures'));
      return {
        context: await context(),
        value: statuses.map(
          (s) =>
            s && {
              slot: s.slot,
              confirmations: null,
              err: s.err,
              status: s.err ? { Err: s.err } : { Ok: null },
              confirmationStatus: s.confirmationStatus,
            },
        ),
      };
    },
    getTransaction: async (params) => {
      const landed = await gateway.getTransaction(
        param(params, 0, (v): v is Signature => isString(v) && isSignature(v), 'a signature'),
      );
      return (
        landed && {
          slot: landed.slot,
          blockTime: null,
          version: 0,
          transaction: [landed.wire, 'base64'],
          meta: {
            err: landed.err,
            status: landed.err ? { Err: landed.err } : { Ok: null },
            fee: 0n,
            logMessages: landed.logs,
          },
        }
      );
    },
    requestAirdrop: async (params) => {
      const to = param(params, 0, isAddressParam, 'an address');
      const amount = BigInt(
        param(params, 1, (v): v is number => Number.isSafeInteger(v) && (v as number) > 0, 'lamports'),
      );
      const result = gateway.svm.airdrop(to, amount as never);
      if (result === null || result instanceof FailedTransactionMetadata) {
        throw new RpcFailure(-32603, 'airdrop failed');
      }
      return getBase58Decoder().decode(result.signature());
    },
  };
  return async (request) => {
    const id = request.id ?? null;
    try {
      const method = typeof request.method === 'string' ? methods[request.method] : undefined;
      if (!method) {
        throw new RpcFailure(-32601, `Method not found: ${String(request.method)}`);
      }
      return { jsonrpc: '2.0', id, result: await method(request.params) };
    } catch (error) {
      const failure = error instanceof RpcFailure ? error : new RpcFailure(-32603, (error as Error).message);
      return { jsonrpc: '2.0', id, error: { code: failure.code, message: failure.message, data: failure.data } };
    }
  };
}

/** JSON with bigints as exact integer literals (Solana's u64 fields exceed 2^53). */
export function stringifyJsonRpc(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}\u0000` : v)).replace(
    /"\\u0000(-?\d+)\\u0000"/g,
    '$1',
  );
}

async function readBody(request: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new RpcFailure(-32600, 'request too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request listener of the JSON-RPC bridge (compose it into another server, or use {@link startJsonRpcServer}). */
export function createJsonRpcListener(gateway: LiteSvmGateway): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = createJsonRpcHandler(gateway);
  return (req, res) => {
    void (async () => {
      let payload: unknown;
      try {
        const parsed = JSON.parse(await readBody(req)) as JsonRpcRequest | JsonRpcRequest[];
        payload = Array.isArray(parsed) ? await Promise.all(parsed.map(handle)) : await handle(parsed);
      } catch {
        payload = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(stringifyJsonRpc(payload));
    })();
  };
}

/** Serves the bridge on `host:port` (port 0 = any free one) and resolves once it listens. */
export async function startJsonRpcServer(
  gateway: LiteSvmGateway,
  options: { host?: string; port?: number } = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(createJsonRpcListener(gateway));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
