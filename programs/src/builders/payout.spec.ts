import { generateKeyPairSigner, getAddressDecoder, type Address, type Blockhash } from '@solana/kit';
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { describe, expect, it } from 'vitest';
import { TRANSACTION_SIZE_LIMIT } from '../constants.js';
import type { MintAuthority } from '../mint-authority.js';
import { inspectPayoutTransaction } from './inspect.js';
import { maxWalletsPerTransaction, parsePayoutMemo, payoutInstructions, payoutMemo } from './payout.js';
import { signTransaction, TransactionTooLargeError } from './transaction.js';

const root = 'ab'.repeat(32);
const lifetime = { blockhash: 'EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N' as Blockhash, lastValidBlockHeight: 150n };

function wallet(i: number): Address {
  const bytes = new Uint8Array(32);
  bytes[0] = 7;
  new DataView(bytes.buffer).setUint32(28, i);
  return getAddressDecoder().decode(bytes);
}

describe('payout memo', () => {
  it('round-trips gt:epoch:<n>:<root>:<part>/<parts>', () => {
    const text = payoutMemo({ epoch: 412, root, part: 2, parts: 3 });
    expect(text).toBe(`gt:epoch:412:${root}:2/3`);
    expect(parsePayoutMemo(text)).toEqual({ epoch: 412, root, part: 2, parts: 3 });
  });

  it('rejects anything else', () => {
    expect(parsePayoutMemo(`gt:epoch:1:${root}:4/3`)).toBeUndefined();
    expect(parsePayoutMemo(`gt:epoch:1:${root.toUpperCase()}:1/1`)).toBeUndefined();
    expect(parsePayoutMemo(`gt:epoch:-1:${root}:1/1`)).toBeUndefined();
    expect(parsePayoutMemo('hello')).toBeUndefined();
    expect(() => payoutMemo({ epoch: 1, root: 'xyz', part: 1, parts: 1 })).toThrow(RangeError);
  });
});

describe('payout transactions', () => {
  it('carry an idempotent ATA creation and a MintTo per wallet, and the memo; inspection reads them back', async () => {
    // Given a payer that is also the mint authority, and three wallets
    const payer = await generateKeyPairSigner();
    const mint = (await generateKeyPairSigner()).address;
    const authority: MintAuthority = { kind: 'keypair', signer: payer };
    const transfers = [1, 2, 3].map((i) => ({ wallet: wallet(i), amount: BigInt(i) * 1_000_000n }));

    // When the transaction is built and signed
    const instructions = await payoutInstructions({
      payer,
      mint,
      authority,
      transfers,
      memo: { epoch: 9, root, part: 1, parts: 1 },
    });
    const signed = await signTransaction(instructions, payer, lifetime);

    // Then its bytes say exactly what it pays, to which accounts, under which root
    const inspected = inspectPayoutTransaction(signed.wire);
    expect(inspected.memos).toEqual([`gt:epoch:9:${root}:1/1`]);
    expect(inspected.feePayer).toBe(payer.address);
    for (const [i, t] of transfers.entries()) {
      const [ata] = await findAssociatedTokenPda({ owner: t.wallet, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
      expect(inspected.mints[i]).toEqual({ mint, tokenAccount: ata, amount: t.amount });
      expect(inspected.ataOwners.get(ata)).toBe(t.wallet);
    }
    expect(signed.size).toBeLessThanOrEqual(TRANSACTION_SIZE_LIMIT);
  });

  it('refuses zero amounts and repeated wallets', async () => {
    const payer = await generateKeyPairSigner();
    const base = {
      payer,
      mint: payer.address,
      authority: { kind: 'keypair', signer: payer } as const,
      memo: { epoch: 1, root, part: 1, parts: 1 },
    };
    await expect(payoutInstructions({ ...base, transfers: [{ wallet: wallet(1), amount: 0n }] })).rejects.toThrow(
      RangeError,
    );
    await expect(
      payoutInstructions({
        ...base,
        transfers: [
          { wallet: wallet(1), amount: 1n },
          { wallet: wallet(1), amount: 2n },
        ],
      }),
    ).rejects.toThrow(RangeError);
  });

  it('fit at least 8 wallets with a keypair authority, fewer with a 2-of-3 multisig, and one more never fits', async () => {
    const payer = await generateKeyPairSigner();
    const mint = (await generateKeyPairSigner()).address;
    const keypair: MintAuthority = { kind: 'keypair', signer: payer };
    const multisig: MintAuthority = {
      kind: 'multisig',
      address: wallet(999),
      m: 2,
      signers: [await generateKeyPairSigner(), await generateKeyPairSigner()],
    };
    const single = await maxWalletsPerTransaction({ payer, mint, authority: keypair });
    const multi = await maxWalletsPerTransaction({ payer, mint, authority: multisig });
    expect(single).toBeGreaterThanOrEqual(8);
    expect(multi).toBeLessThan(single);

    const memo = { epoch: 99_999, root, part: 99_999, parts: 99_999 };
    const over = Array.from({ length: single + 1 }, (_, i) => ({ wallet: wallet(i), amount: 2n ** 63n }));
    const instructions = await payoutInstructions({ payer, mint, authority: keypair, transfers: over, memo });
    await expect(signTransaction(instructions, payer, lifetime)).rejects.toBeInstanceOf(TransactionTooLargeError);
  });
});
