import { generateKeyPairSigner, type Address, type Instruction, type KeyPairSigner, type Signature } from '@solana/kit';
import { getAddMemoInstruction } from '@solana-program/memo';
import { getMintToInstruction, getTransferCheckedInstruction, getTransferInstruction } from '@solana-program/token';
import {
  associatedTokenAccount,
  createRewardToken,
  LiteSvmGateway,
  MEMO_PROGRAM_ADDRESS,
  signTransaction,
  type RewardTokenDeployment,
} from '@groundtruth/programs';

/** The reward token on LiteSVM (the real SPL programs), a funded buyer, and helpers to pay in it. */
export class ChainFixture {
  private constructor(
    readonly gateway: LiteSvmGateway,
    readonly payer: KeyPairSigner,
    readonly deployment: RewardTokenDeployment,
    /** a second token the buyer also holds, to pay in the wrong mint */
    readonly otherToken: RewardTokenDeployment,
    readonly buyer: KeyPairSigner,
  ) {}

  /** `preflight: false` lets a failing transaction land (fee charged), as a node without preflight does. */
  static async create(now: () => number): Promise<ChainFixture> {
    const gateway = new LiteSvmGateway({ now, preflight: false });
    const payer = await generateKeyPairSigner();
    gateway.airdrop(payer.address, 1_000_000_000_000n);
    const treasuryOwner = (await generateKeyPairSigner()).address;
    const create = () =>
      createRewardToken({
        gateway,
        cluster: 'litesvm',
        payer,
        authority: { kind: 'keypair', address: payer.address },
        treasuryOwner,
      });
    const deployment = await create();
    const otherToken = await create();
    const buyer = await generateKeyPairSigner();
    gateway.airdrop(buyer.address, 10_000_000_000n);
    const fixture = new ChainFixture(gateway, payer, deployment, otherToken, buyer);
    await fixture.mintTo(buyer.address, 1_000_000_000_000n, deployment.mint);
    await fixture.mintTo(buyer.address, 1_000_000_000_000n, otherToken.mint);
    return fixture;
  }

  get mint(): Address {
    return this.deployment.mint;
  }

  get treasury(): Address {
    return this.deployment.treasury.tokenAccount;
  }

  async ata(owner: Address, mint: Address = this.mint): Promise<{ address: Address; instruction: Instruction }> {
    return associatedTokenAccount({ payer: this.payer, owner, mint });
  }

  async mintTo(owner: Address, amount: bigint, mint: Address): Promise<void> {
    const ata = await this.ata(owner, mint);
    await this.run(
      [ata.instruction, getMintToInstruction({ mint, token: ata.address, amount, mintAuthority: this.payer })],
      this.payer,
    );
  }

  /** Sends instructions signed by `feePayer` (and any signer they name); returns the landed signature. */
  async run(instructions: readonly Instruction[], feePayer: KeyPairSigner = this.buyer): Promise<Signature> {
    const signed = await signTransaction(instructions, feePayer, await this.gateway.latestBlockhash());
    await this.gateway.send(signed);
    return signed.signature;
  }

  /** The buyer pays `amount` of `mint` into `destination` (default: the treasury) with these memos. */
  async pay(input: {
    amount: bigint;
    memos: readonly string[];
    destination?: Address;
    mint?: Address;
    checked?: boolean;
  }): Promise<Signature> {
    const mint = input.mint ?? this.mint;
    const source = (await this.ata(this.buyer.address, mint)).address;
    const destination = input.destination ?? this.treasury;
    const transfer =
      input.checked === false
        ? getTransferInstruction({ source, destination, authority: this.buyer, amount: input.amount })
        : getTransferCheckedInstruction({
            source,
            mint,
            destination,
            authority: this.buyer,
            amount: input.amount,
            decimals: 6,
          });
    const memos = input.memos.map((memo) => getAddMemoInstruction({ memo }, { programAddress: MEMO_PROGRAM_ADDRESS }));
    return this.run([...memos, transfer]);
  }

  balance(owner: Address, mint: Address = this.mint): Promise<bigint> {
    return this.gateway.tokenBalance(owner, mint);
  }
}
