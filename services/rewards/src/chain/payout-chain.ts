import {
  assertUsableMintAuthority,
  checkMintAuthority,
  readDeployment,
  readKeypairFile,
  RpcGateway,
  type MintAuthority,
  type SolanaGateway,
} from '@groundtruth/programs';
import { RewardsError } from '../core/errors.js';
import type { RewardsConfig } from '../rewards.config.js';
import type { PayoutChain } from './payout.service.js';

/**
 * Builds the payout chain from the configuration: the deployment file names the mint and its authority, the
 * keypair files provide the keys this runner holds, and the chain is checked to agree before anything is paid.
 */
export async function payoutChainFromConfig(
  config: RewardsConfig['chain'],
  gateway?: SolanaGateway,
): Promise<PayoutChain> {
  if (!config.deploymentFile) {
    throw new RewardsError('BAD_PARAMS', 'REWARDS_DEPLOYMENT_FILE is required to pay rewards');
  }
  const deployment = await readDeployment(config.deploymentFile);
  let authority: MintAuthority;
  if (deployment.mintAuthority.kind === 'keypair') {
    if (!config.mintAuthorityKeypair) {
      throw new RewardsError('BAD_PARAMS', 'the mint authority is a keypair: set REWARDS_MINT_AUTHORITY_KEYPAIR');
    }
    authority = { kind: 'keypair', signer: await readKeypairFile(config.mintAuthorityKeypair) };
  } else {
    if (!config.multisigSignerKeypairs?.length) {
      throw new RewardsError('BAD_PARAMS', 'the mint authority is a multisig: set REWARDS_MULTISIG_SIGNER_KEYPAIRS');
    }
    authority = {
      kind: 'multisig',
      address: deployment.mintAuthority.address,
      m: deployment.mintAuthority.m,
      signers: await Promise.all(config.multisigSignerKeypairs.map(readKeypairFile)),
    };
  }
  assertUsableMintAuthority(authority);
  let payer;
  if (config.payerKeypair) {
    payer = await readKeypairFile(config.payerKeypair);
  } else if (authority.kind === 'keypair') {
    payer = authority.signer;
  } else {
    throw new RewardsError('BAD_PARAMS', 'with a multisig authority set REWARDS_PAYER_KEYPAIR');
  }
  const chainGateway =
    gateway ?? (config.rpcUrl ? new RpcGateway({ url: config.rpcUrl, commitment: config.commitment }) : undefined);
  if (!chainGateway) {
    throw new RewardsError('BAD_PARAMS', 'set SOLANA_RPC_URL (or pass a gateway from the embedding process)');
  }
  await checkMintAuthority(chainGateway, deployment.mint, authority);
  return { gateway: chainGateway, mint: deployment.mint, authority, payer };
}
