/**
 * The chain of the dashboards' pipeline run: LiteSVM with the real SPL Token, Associated Token Account and Memo
 * programs, the reward token created by `createRewardToken` (keypair mint authority), and a dataset buyer holding
 * some of it. The rewards service mints payouts on it; the market takes the buyer's payment on it.
 */
import { getAddMemoInstruction } from '@solana-program/memo';
import { getMintToInstruction, getTransferCheckedInstruction } from '@solana-program/token';
import { generateKeyPairSigner, type Address, type Instruction, type KeyPairSigner, type Signature } from '@solana/kit';
import {
  associatedTokenAccount,
  createRewardToken,
  LiteSvmGateway,
  MEMO_PROGRAM_ADDRESS,
  REWARD_TOKEN_DECIMALS,
  signTransaction,
  type RewardTokenDeployment,
} from '../../programs/src/index.js';
import type { PayoutChain } from '../../services/rewards/src/chain/payout.service.js';

export class TestChain {
  private constructor(
    readonly gateway: LiteSvmGateway,
    readonly payer: KeyPairSigner,
    readonly deployment: RewardTokenDeployment,
    readonly buyer: KeyPairSigner,
  ) {}

  static async create(buyerTokens: bigint): Promise<TestChain> {
    const gateway = new LiteSvmGateway();
    const payer = await generateKeyPairSigner();
    gateway.airdrop(payer.address, 1_000_000_000_000n);
    const deployment = await createRewardToken({
      gateway,
      cluster: 'litesvm',
      payer,
      authority: { kind: 'keypair', address: payer.address },
      treasuryOwner: (await generateKeyPairSigner()).address,
    });
    const buyer = await generateKeyPairSigner();
    gateway.airdrop(buyer.address, 10_000_000_000n);
    const chain = new TestChain(gateway, payer, deployment, buyer);
    const ata = await associatedTokenAccount({ payer, owner: buyer.address, mint: deployment.mint });
    await chain.run(
      [
        ata.instruction,
        getMintToInstruction({ mint: deployment.mint, token: ata.address, amount: buyerTokens, mintAuthority: payer }),
      ],
      payer,
    );
    return chain;
  }

  /** What the rewards service pays with: the mint authority also pays fees and rent. */
  get payout(): PayoutChain {
    return {
      gateway: this.gateway,
      mint: this.deployment.mint,
      authority: { kind: 'keypair', signer: this.payer },
      payer: this.payer,
    };
  }

  get token(): { mint: Address; treasury: Address } {
    return { mint: this.deployment.mint, treasury: this.deployment.treasury.tokenAccount };
  }

  /** The buyer pays `amount` into the treasury with the order's memo, as a wallet would. */
  async pay(amount: bigint, memo: string): Promise<Signature> {
    const source = (
      await associatedTokenAccount({ payer: this.buyer, owner: this.buyer.address, mint: this.token.mint })
    ).address;
    return this.run([
      getAddMemoInstruction({ memo }, { programAddress: MEMO_PROGRAM_ADDRESS }),
      getTransferCheckedInstruction({
        source,
        mint: this.token.mint,
        destination: this.token.treasury,
        authority: this.buyer,
        amount,
        decimals: REWARD_TOKEN_DECIMALS,
      }),
    ]);
  }

  private async run(instructions: readonly Instruction[], feePayer: KeyPairSigner = this.buyer): Promise<Signature> {
    const signed = await signTransaction(instructions, feePayer, await this.gateway.latestBlockhash());
    await this.gateway.send(signed);
    return signed.signature;
  }
}
