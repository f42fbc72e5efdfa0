import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAddress, type Address, type Signature } from '@solana/kit';
import { getMintDecoder, getMultisigDecoder, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { REWARD_TOKEN_DECIMALS } from './constants.js';
import { mintAuthorityAddress, type MintAuthority } from './mint-authority.js';
import type { SolanaGateway } from './gateway/solana-gateway.js';

/**
 * The token's name, symbol and metadata URI. Kept off chain, in the deployment file, while neither the Metaplex
 * Token Metadata program (absent from LiteSVM) nor a Token-2022 client is available here; see programs/README.md.
 */
export interface TokenMetadata {
  readonly name: string;
  readonly symbol: string;
  readonly uri: string;
}

export const DEFAULT_TOKEN_METADATA: TokenMetadata = { name: 'GroundTruth', symbol: 'GRND', uri: '' };

export type MintAuthorityRecord =
  | { readonly kind: 'keypair'; readonly address: Address }
  | { readonly kind: 'multisig'; readonly address: Address; readonly m: number; readonly signers: readonly Address[] };

/** What `create-token` made; services read it to find the mint and treasury. Public (no secrets). */
export interface RewardTokenDeployment {
  readonly v: 1;
  /** free label of the cluster: `litesvm`, `devnet`, `mainnet-beta`, … */
  readonly cluster: string;
  readonly mint: Address;
  readonly decimals: number;
  readonly mintAuthority: MintAuthorityRecord;
  /** receives dataset-sale payments (the market's treasury) */
  readonly treasury: { readonly owner: Address; readonly tokenAccount: Address };
  readonly metadata: TokenMetadata;
  readonly createdAt: string;
  readonly signatures: readonly Signature[];
}

export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
  constructor(
    readonly code: 'BAD_DEPLOYMENT_FILE' | 'MINT_NOT_FOUND' | 'MINT_MISMATCH' | 'AUTHORITY_MISMATCH',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export async function writeDeployment(file: string, deployment: RewardTokenDeployment): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(deployment, null, 2) + '\n');
  await rename(temp, file);
}

export async function readDeployment(file: string): Promise<RewardTokenDeployment> {
  let value: Partial<RewardTokenDeployment>;
  try {
    value = JSON.parse(await readFile(file, 'utf8')) as Partial<RewardTokenDeployment>;
  } catch (error) {
    throw new DeploymentError('BAD_DEPLOYMENT_FILE', `${file}: ${(error as Error).message}`);
  }
  const authority = value.mintAuthority;
  const ok =
    value.v === 1 &&
    isAddress(String(value.mint)) &&
    value.decimals === REWARD_TOKEN_DECIMALS &&
    authority !== undefined &&
    isAddress(String(authority.address)) &&
    (authority.kind === 'keypair' || (authority.kind === 'multisig' && authority.signers.every((s) => isAddress(s)))) &&
    value.treasury !== undefined &&
    isAddress(String(value.treasury.tokenAccount));
  if (!ok) {
    throw new DeploymentError('BAD_DEPLOYMENT_FILE', `${file}: not a version 1 reward token deployment`);
  }
  return value as RewardTokenDeployment;
}

/**
 * Checks the chain against a deployment and the authority this process holds: the mint exists with 6 decimals
 * and its mint authority is the keypair or multisig given, whose threshold and membership cover the keys held.
 * Run at start-up so a wrong key fails loudly before any epoch is paid.
 */
export async function checkMintAuthority(
  gateway: SolanaGateway,
  mint: Address,
  authority: MintAuthority,
): Promise<void> {
  const account = await gateway.getAccount(mint);
  if (!account || account.owner !== TOKEN_PROGRAM_ADDRESS) {
    throw new DeploymentError('MINT_NOT_FOUND', `no SPL Token mint at ${mint}`);
  }
  const decoded = getMintDecoder().decode(account.data);
  if (decoded.decimals !== REWARD_TOKEN_DECIMALS) {
    throw new DeploymentError('MINT_MISMATCH', `mint ${mint} has ${decoded.decimals} decimals`);
  }
  const onChain = decoded.mintAuthority.__option === 'Some' ? decoded.mintAuthority.value : undefined;
  if (onChain !== mintAuthorityAddress(authority)) {
    throw new DeploymentError(
      'AUTHORITY_MISMATCH',
      `mint authority is ${onChain ?? 'none'}, not ${mintAuthorityAddress(authority)}`,
    );
  }
  if (authority.kind === 'multisig') {
    const multisig = await gateway.getAccount(authority.address);
    if (!multisig || multisig.owner !== TOKEN_PROGRAM_ADDRESS) {
      throw new DeploymentError('AUTHORITY_MISMATCH', `no SPL Token multisig at ${authority.address}`);
    }
    const { m, n, signers } = getMultisigDecoder().decode(multisig.data);
    const members = new Set(signers.slice(0, n));
    if (m !== authority.m || !authority.signers.every((s) => members.has(s.address))) {
      throw new DeploymentError(
        'AUTHORITY_MISMATCH',
        `multisig ${authority.address} is ${m}-of-${n}; held keys do not satisfy it`,
      );
    }
  }
}
