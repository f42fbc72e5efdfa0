import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createRewardToken,
  LiteSvmGateway,
  loadLiteSvmSnapshot,
  readDeployment,
  readKeypairFile,
  RpcGateway,
  saveLiteSvmSnapshot,
  writeDeployment,
  writeNewKeypairFile,
  type RewardTokenDeployment,
  type SolanaGateway,
} from '@groundtruth/programs';
import type { KeyPairSigner } from '@solana/kit';

/** Where the chain part of a data directory lives; the rewards and market services read the same files. */
export interface ChainFiles {
  readonly dir: string;
  readonly payer: string;
  readonly mintAuthority: string;
  readonly treasuryOwner: string;
  readonly deployment: string;
}

export function chainFiles(dataDir: string): ChainFiles {
  const dir = path.join(dataDir, 'solana');
  return {
    dir,
    payer: path.join(dir, 'payer.json'),
    mintAuthority: path.join(dir, 'mint-authority.json'),
    treasuryOwner: path.join(dir, 'treasury-owner.json'),
    deployment: path.join(dir, 'deployment.json'),
  };
}

/** SOL given to the embedded payer on first run: fees and rent of many epochs of payouts. */
const EMBEDDED_PAYER_LAMPORTS = 1_000n * 1_000_000_000n;

export interface EmbeddedChain {
  readonly gateway: SolanaGateway;
  /** the in-process chain, when there is one (no `SOLANA_RPC_URL`) */
  readonly litesvm: LiteSvmGateway | undefined;
  readonly files: ChainFiles;
  readonly deployment: RewardTokenDeployment;
  /** true when this start created the mint */
  readonly created: boolean;
  /** writes the LiteSVM state to the data directory (no-op against an RPC endpoint) */
  save(): Promise<void>;
}

async function keypair(file: string): Promise<KeyPairSigner> {
  return existsSync(file) ? readKeypairFile(file) : writeNewKeypairFile(file);
}

/**
 * The chain of the embedded network: LiteSVM with its state under `<dataDir>/solana` (or the cluster behind
 * `rpcUrl`), and the reward mint, created on first run with a keypair mint authority and a treasury for market
 * payments. A restart finds the same chain, mint and keys. Against a real cluster the payer (`SOLANA_KEYPAIR`, or
 * `<dataDir>/solana/payer.json`) must hold SOL for rent and fees.
 */
export async function openEmbeddedChain(
  dataDir: string,
  rpcUrl?: string,
  payerKeypairPath?: string,
): Promise<EmbeddedChain> {
  const files = { ...chainFiles(dataDir), ...(payerKeypairPath === undefined ? {} : { payer: payerKeypairPath }) };
  const litesvm = rpcUrl === undefined ? ((await loadLiteSvmSnapshot(files.dir)) ?? new LiteSvmGateway()) : undefined;
  const gateway: SolanaGateway = litesvm ?? new RpcGateway({ url: rpcUrl! });
  // Saves are serialised: the periodic save, the rewards checkpoint and the one at stop share the snapshot files.
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    if (litesvm === undefined) {
      return Promise.resolve();
    }
    const next = saving.then(() => saveLiteSvmSnapshot(litesvm, files.dir));
    saving = next.catch(() => undefined);
    return next;
  };
  const payer = await keypair(files.payer);
  const authority = await keypair(files.mintAuthority);
  const treasuryOwner = await keypair(files.treasuryOwner);
  if (existsSync(files.deployment)) {
    return { gateway, litesvm, files, deployment: await readDeployment(files.deployment), created: false, save };
  }
  if (litesvm !== undefined) {
    litesvm.airdrop(payer.address, EMBEDDED_PAYER_LAMPORTS);
  }
  const deployment = await createRewardToken({
    gateway,
    cluster: litesvm === undefined ? 'rpc' : 'litesvm',
    payer,
    authority: { kind: 'keypair', address: authority.address },
    treasuryOwner: treasuryOwner.address,
  });
  await save();
  await writeDeployment(files.deployment, deployment);
  return { gateway, litesvm, files, deployment, created: true, save };
}
