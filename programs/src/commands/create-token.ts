import {
  generateKeyPairSigner,
  type Address,
  type Instruction,
  type KeyPairSigner,
  type TransactionSigner,
} from '@solana/kit';
import { REWARD_TOKEN_DECIMALS } from '../constants.js';
import { signTransaction } from '../builders/transaction.js';
import {
  associatedTokenAccount,
  createMintInstructions,
  createMultisigInstructions,
  MINT_ACCOUNT_SIZE,
  MULTISIG_ACCOUNT_SIZE,
} from '../builders/token-setup.js';
import { tokenMetadataInstruction } from '../builders/token-metadata.js';
import {
  DEFAULT_TOKEN_METADATA,
  type MintAuthorityRecord,
  type RewardTokenDeployment,
  type TokenMetadata,
} from '../deployment.js';
import { GatewayError, type SolanaGateway } from '../gateway/solana-gateway.js';

export interface CreateRewardTokenInput {
  readonly gateway: SolanaGateway;
  readonly cluster: string;
  /** pays rent and fees */
  readonly payer: TransactionSigner;
  /** the mint's keypair (a vanity address, say); default a fresh one */
  readonly mint?: KeyPairSigner;
  /** a keypair's address, or a new m-of-n SPL Token multisig over these signer addresses */
  readonly authority:
    | { readonly kind: 'keypair'; readonly address: Address }
    | { readonly kind: 'multisig'; readonly m: number; readonly signers: readonly Address[] };
  /** owner of the treasury token account that receives dataset-sale payments */
  readonly treasuryOwner: Address;
  readonly metadata?: TokenMetadata;
}

/**
 * Creates the reward token in one transaction: (the multisig,) the 6-decimal mint with no freeze authority, and
 * the treasury's associated token account, and a Memo anchoring the token's name, symbol and URI; waits for
 * confirmation and returns the deployment record to save.
 */
export async function createRewardToken(input: CreateRewardTokenInput): Promise<RewardTokenDeployment> {
  const { gateway, payer } = input;
  const mint = input.mint ?? (await generateKeyPairSigner());
  const instructions: Instruction[] = [];
  let authority: MintAuthorityRecord;
  if (input.authority.kind === 'multisig') {
    const multisig = await generateKeyPairSigner();
    instructions.push(
      ...createMultisigInstructions({
        payer,
        multisig,
        m: input.authority.m,
        signers: input.authority.signers,
        rentLamports: await gateway.minimumBalanceForRentExemption(MULTISIG_ACCOUNT_SIZE),
      }),
    );
    authority = {
      kind: 'multisig',
      address: multisig.address,
      m: input.authority.m,
      signers: [...input.authority.signers],
    };
  } else {
    authority = { kind: 'keypair', address: input.authority.address };
  }
  instructions.push(
    ...createMintInstructions({
      payer,
      mint,
      mintAuthority: authority.address,
      rentLamports: await gateway.minimumBalanceForRentExemption(MINT_ACCOUNT_SIZE),
    }),
  );
  const treasury = await associatedTokenAccount({ payer, owner: input.treasuryOwner, mint: mint.address });
  instructions.push(treasury.instruction);
  const metadata = input.metadata ?? DEFAULT_TOKEN_METADATA;
  instructions.push(tokenMetadataInstruction({ ...metadata, mint: mint.address, decimals: REWARD_TOKEN_DECIMALS }));

  const signed = await signTransaction(instructions, payer, await gateway.latestBlockhash());
  await gateway.send(signed);
  const outcome = await gateway.confirm(signed.signature, signed.lastValidBlockHeight, { commitment: 'finalized' });
  if (outcome?.status !== 'confirmed') {
    throw new GatewayError('SEND_REJECTED', `create-token transaction ${signed.signature}: ${JSON.stringify(outcome)}`);
  }
  return {
    v: 1,
    cluster: input.cluster,
    mint: mint.address,
    decimals: REWARD_TOKEN_DECIMALS,
    mintAuthority: authority,
    treasury: { owner: input.treasuryOwner, tokenAccount: treasury.address },
    metadata,
    createdAt: new Date().toISOString(),
    signatures: [signed.signature],
  };
}
