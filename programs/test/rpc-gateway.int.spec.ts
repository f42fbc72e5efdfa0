import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSigner } from '@solana/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectPayoutTransaction } from '../src/builders/inspect.js';
import { payoutInstructions } from '../src/builders/payout.js';
import { signTransaction } from '../src/builders/transaction.js';
import { createRewardToken } from '../src/commands/create-token.js';
import { checkMintAuthority } from '../src/deployment.js';
import { createJsonRpcListener, startJsonRpcServer } from '../src/gateway/json-rpc-server.js';
import { LiteSvmGateway } from '../src/gateway/litesvm-gateway.js';
import { RpcGateway } from '../src/gateway/rpc-gateway.js';
import { isGatewayError } from '../src/gateway/solana-gateway.js';
import { manualClock } from './chain-fixture.js';

const root = 'ef'.repeat(32);
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function rpcOverLiteSvm(clock = manualClock()) {
  const chain = new LiteSvmGateway({ now: clock.now });
  const server = await startJsonRpcServer(chain);
  closers.push(server.close);
  return { chain, clock, rpc: new RpcGateway({ url: server.url, timeoutMs: 5_000 }) };
}

describe('RPC gateway over a JSON-RPC endpoint backed by LiteSVM', () => {
  it('creates the token with a 2-of-3 multisig authority and pays through it', async () => {
    // Given a funded payer and three multisig members, two of which this process holds
    const { chain, rpc } = await rpcOverLiteSvm();
    const payer = await generateKeyPairSigner();
    chain.airdrop(payer.address, 100_000_000_000n);
    const members = [await generateKeyPairSigner(), await generateKeyPairSigner(), await generateKeyPairSigner()];

    // When the token is created over RPC and a payout is signed by two members
    const deployment = await createRewardToken({
      gateway: rpc,
      cluster: 'test',
      payer,
      authority: { kind: 'multisig', m: 2, signers: members.map((m) => m.address) },
      treasuryOwner: payer.address,
    });
    expect(deployment.mintAuthority).toMatchObject({ kind: 'multisig', m: 2 });
    const authority = {
      kind: 'multisig',
      address: deployment.mintAuthority.address,
      m: 2,
      signers: members.slice(0, 2),
    } as const;
    await checkMintAuthority(rpc, deployment.mint, authority);
    const wallets = [(await generateKeyPairSigner()).address, (await generateKeyPairSigner()).address];
    const instructions = await payoutInstructions({
      payer,
      mint: deployment.mint,
      authority,
      transfers: [
        { wallet: wallets[0]!, amount: 1_000_001n },
        { wallet: wallets[1]!, amount: 2n },
      ],
      memo: { epoch: 77, root, part: 1, parts: 1 },
    });
    const signed = await signTransaction(instructions, payer, await rpc.latestBlockhash());
    await rpc.send(signed);

    // Then it confirms, balances are exact, and the landed bytes carry the memo and the amounts
    expect(await rpc.confirm(signed.signature, signed.lastValidBlockHeight, { pollMs: 10 })).toMatchObject({
      status: 'confirmed',
    });
    expect(await rpc.tokenBalance(wallets[0]!, deployment.mint)).toBe(1_000_001n);
    expect(await rpc.tokenBalance(wallets[1]!, deployment.mint)).toBe(2n);
    const landed = await rpc.getTransaction(signed.signature);
    const inspected = inspectPayoutTransaction(landed!.wire);
    expect(inspected.memos).toEqual([`gt:epoch:77:${root}:1/1`]);
    expect(inspected.mints.map((m) => m.amount)).toEqual([1_000_001n, 2n]);
    expect(await rpc.lamports(payer.address)).toBe(await chain.lamports(payer.address));
  });

  it('maps a preflight failure to SEND_REJECTED and an old blockhash to BLOCKHASH_EXPIRED', async () => {
    const { chain, clock, rpc } = await rpcOverLiteSvm();
    const payer = await generateKeyPairSigner();
    chain.airdrop(payer.address, 100_000_000_000n);
    const stranger = await generateKeyPairSigner();
    const deployment = await createRewardToken({
      gateway: rpc,
      cluster: 'test',
      payer,
      authority: { kind: 'keypair', address: payer.address },
      treasuryOwner: payer.address,
    });
    const build = async (signer: typeof payer) =>
      signTransaction(
        await payoutInstructions({
          payer,
          mint: deployment.mint,
          authority: { kind: 'keypair', signer },
          transfers: [{ wallet: stranger.address, amount: 5n }],
          memo: { epoch: 1, root, part: 1, parts: 1 },
        }),
        payer,
        await rpc.latestBlockhash(),
      );

    const wrongAuthority = await build(stranger);
    await expect(rpc.send(wrongAuthority)).rejects.toSatisfy((e) => isGatewayError(e, 'SEND_REJECTED'));
    expect(await rpc.signatureStatuses([wrongAuthority.signature])).toEqual([null]);

    const stale = await build(payer);
    clock.advance(151 * 400);
    await expect(rpc.send(stale)).rejects.toSatisfy((e) => isGatewayError(e, 'BLOCKHASH_EXPIRED'));
    expect(await rpc.confirm(stale.signature, stale.lastValidBlockHeight, { pollMs: 1 })).toEqual({
      status: 'expired',
    });
    expect(await rpc.tokenBalance(stranger.address, deployment.mint)).toBe(0n);
  });

  it('reports an unreachable or failing node as RPC_UNAVAILABLE', async () => {
    // A node that answers 503 to everything
    const down = createServer((_req, res) => res.writeHead(503).end('maintenance'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => down.close(() => resolve())));
    const rpc = new RpcGateway({ url: `http://127.0.0.1:${(down.address() as AddressInfo).port}`, timeoutMs: 2_000 });
    await expect(rpc.blockHeight()).rejects.toSatisfy((e) => isGatewayError(e, 'RPC_UNAVAILABLE'));

    // A node that hangs past the timeout
    const chain = new LiteSvmGateway();
    const listener = createJsonRpcListener(chain);
    const slow = createServer((req, res) => setTimeout(() => listener(req, res), 1_500));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => slow.close(() => resolve())));
    const impatient = new RpcGateway({
      url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      timeoutMs: 200,
    });
    await expect(impatient.blockHeight()).rejects.toSatisfy((e) => isGatewayError(e, 'RPC_UNAVAILABLE'));
  });
});
