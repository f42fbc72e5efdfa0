import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSigner } from '@solana/kit';
import { getMintDecoder } from '@solana-program/token';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectPayoutTransaction } from '../src/builders/inspect.js';
import { payoutInstructions } from '../src/builders/payout.js';
import { parseTokenMetadataMemo } from '../src/builders/token-metadata.js';
import { signTransaction } from '../src/builders/transaction.js';
import { checkMintAuthority, DEFAULT_TOKEN_METADATA, DeploymentError } from '../src/deployment.js';
import { LiteSvmGateway } from '../src/gateway/litesvm-gateway.js';
import { loadLiteSvmSnapshot, saveLiteSvmSnapshot } from '../src/gateway/litesvm-snapshot.js';
import { isGatewayError } from '../src/gateway/solana-gateway.js';
import { manualClock, tokenOnLiteSvm } from './chain-fixture.js';

const root = 'cd'.repeat(32);
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function payout(fixture: Awaited<ReturnType<typeof tokenOnLiteSvm>>, amounts: bigint[]) {
  const wallets = await Promise.all(amounts.map(async () => (await generateKeyPairSigner()).address));
  const instructions = await payoutInstructions({
    payer: fixture.payer,
    mint: fixture.deployment.mint,
    authority: fixture.authority,
    transfers: wallets.map((wallet, i) => ({ wallet, amount: amounts[i]! })),
    memo: { epoch: 3, root, part: 1, parts: 1 },
  });
  return {
    wallets,
    signed: await signTransaction(instructions, fixture.payer, await fixture.gateway.latestBlockhash()),
  };
}

describe('LiteSVM gateway', () => {
  it('creates the reward token: 6 decimals, the expected authority, a treasury account', async () => {
    const fixture = await tokenOnLiteSvm();
    const mint = await fixture.gateway.getAccount(fixture.deployment.mint);
    expect(getMintDecoder().decode(mint!.data)).toMatchObject({
      decimals: 6,
      supply: 0n,
      freezeAuthority: { __option: 'None' },
    });
    await expect(
      checkMintAuthority(fixture.gateway, fixture.deployment.mint, fixture.authority),
    ).resolves.toBeUndefined();
    expect(await fixture.gateway.getAccount(fixture.deployment.treasury.tokenAccount)).not.toBeNull();
    // the name, symbol and URI are anchored in the creation transaction's Memo
    const created = await fixture.gateway.getTransaction(fixture.deployment.signatures[0]!);
    const anchored = inspectPayoutTransaction(created!.wire).memos.map(parseTokenMetadataMemo);
    expect(anchored).toEqual([{ ...DEFAULT_TOKEN_METADATA, mint: fixture.deployment.mint, decimals: 6 }]);

    const stranger = await generateKeyPairSigner();
    await expect(
      checkMintAuthority(fixture.gateway, fixture.deployment.mint, { kind: 'keypair', signer: stranger }),
    ).rejects.toMatchObject({ code: 'AUTHORITY_MISMATCH' } satisfies Partial<DeploymentError>);
  });

  it('mints, anchors the memo, and refuses the same transaction twice', async () => {
    const fixture = await tokenOnLiteSvm();
    const { wallets, signed } = await payout(fixture, [5n, 7n]);

    await fixture.gateway.send(signed);
    const outcome = await fixture.gateway.confirm(signed.signature, signed.lastValidBlockHeight);

    expect(outcome).toMatchObject({ status: 'confirmed' });
    expect(await fixture.gateway.tokenBalance(wallets[0]!, fixture.deployment.mint)).toBe(5n);
    expect(await fixture.gateway.tokenBalance(wallets[1]!, fixture.deployment.mint)).toBe(7n);
    const landed = await fixture.gateway.getTransaction(signed.signature);
    expect(landed?.logs.some((line) => line.includes(`gt:epoch:3:${root}:1/1`))).toBe(true);
    // A rebroadcast is refused and mints nothing more
    await expect(fixture.gateway.send(signed)).rejects.toSatisfy((e) => isGatewayError(e, 'SEND_REJECTED'));
    expect(await fixture.gateway.tokenBalance(wallets[0]!, fixture.deployment.mint)).toBe(5n);
  });

  it('keeps a blockhash valid for 150 blocks, then refuses it; an unsent signature is then reported expired', async () => {
    const clock = manualClock();
    const fixture = await tokenOnLiteSvm(new LiteSvmGateway({ now: clock.now, msPerSlot: 400 }));
    const { signed } = await payout(fixture, [1n]);

    clock.advance(150 * 400);
    expect(await fixture.gateway.blockHeight()).toBe(signed.lastValidBlockHeight);
    clock.advance(400);

    await expect(fixture.gateway.send(signed)).rejects.toSatisfy((e) => isGatewayError(e, 'BLOCKHASH_EXPIRED'));
    expect(await fixture.gateway.confirm(signed.signature, signed.lastValidBlockHeight)).toEqual({ status: 'expired' });
    expect(await fixture.gateway.signatureStatuses([signed.signature])).toEqual([null]);
  });

  it('rejects a failing transaction in preflight without landing it', async () => {
    const fixture = await tokenOnLiteSvm();
    const poor = await generateKeyPairSigner();
    fixture.gateway.airdrop(poor.address, 1_000_000n); // enough for the fee, not for an account's rent
    const instructions = await payoutInstructions({
      payer: poor,
      mint: fixture.deployment.mint,
      authority: fixture.authority,
      transfers: [{ wallet: (await generateKeyPairSigner()).address, amount: 1n }],
      memo: { epoch: 3, root, part: 1, parts: 1 },
    });
    const signed = await signTransaction(instructions, poor, await fixture.gateway.latestBlockhash());

    await expect(fixture.gateway.send(signed)).rejects.toSatisfy((e) => isGatewayError(e, 'SEND_REJECTED'));
    expect(await fixture.gateway.signatureStatuses([signed.signature])).toEqual([null]);
    expect(await fixture.gateway.lamports(poor.address)).toBe(1_000_000n);
  });

  it('survives a save and load: balances, history, height and live blockhashes', async () => {
    const clock = manualClock();
    const fixture = await tokenOnLiteSvm(new LiteSvmGateway({ now: clock.now }));
    const { wallets, signed } = await payout(fixture, [42n]);
    await fixture.gateway.send(signed);
    const pending = await payout(fixture, [43n]);
    clock.advance(10 * 400);
    const height = await fixture.gateway.blockHeight();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-litesvm-'));
    dirs.push(dir);

    await saveLiteSvmSnapshot(fixture.gateway, dir);
    const restored = (await loadLiteSvmSnapshot(dir, { now: clock.now }))!;

    expect(await restored.blockHeight()).toBe(height);
    expect(await restored.tokenBalance(wallets[0]!, fixture.deployment.mint)).toBe(42n);
    expect((await restored.signatureStatuses([signed.signature]))[0]).toMatchObject({
      err: null,
      confirmationStatus: 'finalized',
    });
    expect((await restored.getTransaction(signed.signature))?.wire).toBe(signed.wire);
    // a transaction signed before the save still lands within its blockhash's lifetime
    await restored.send(pending.signed);
    expect(await restored.tokenBalance(pending.wallets[0]!, fixture.deployment.mint)).toBe(43n);
    expect(await loadLiteSvmSnapshot(path.join(dir, 'nothing-here'))).toBeUndefined();
  });
});
