import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { createRewardToken } from '../src/commands/create-token.js';
import type { RewardTokenDeployment } from '../src/deployment.js';
import { LiteSvmGateway } from '../src/gateway/litesvm-gateway.js';
import type { MintAuthority } from '../src/mint-authority.js';

/** A manual clock for the chain: block height moves only when a test says so. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TokenFixture {
  readonly gateway: LiteSvmGateway;
  readonly payer: KeyPairSigner;
  readonly authority: MintAuthority;
  readonly deployment: RewardTokenDeployment;
}

/** A LiteSVM chain with a funded payer and the reward token created with the payer as mint authority. */
export async function tokenOnLiteSvm(gateway = new LiteSvmGateway({ now: manualClock().now })): Promise<TokenFixture> {
  const payer = await generateKeyPairSigner();
  gateway.airdrop(payer.address, 1_000_000_000_000n);
  const treasuryOwner = (await generateKeyPairSigner()).address;
  const deployment = await createRewardToken({
    gateway,
    cluster: 'litesvm',
    payer,
    authority: { kind: 'keypair', address: payer.address },
    treasuryOwner,
  });
  return { gateway, payer, authority: { kind: 'keypair', signer: payer }, deployment };
}
