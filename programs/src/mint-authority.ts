import type { Address, TransactionSigner } from '@solana/kit';

/**
 * Who may mint the reward token. A single keypair suits development and the embedded mode; production puts the
 * mint authority in an SPL Token multisig (m-of-n), and the payout runner holds `m` of its signer keys.
 */
export type MintAuthority =
  | { readonly kind: 'keypair'; readonly signer: TransactionSigner }
  | {
      readonly kind: 'multisig';
      /** the SPL Token multisig account that is the mint's authority */
      readonly address: Address;
      readonly m: number;
      /** the `m` signers this process holds (members of the multisig) */
      readonly signers: readonly TransactionSigner[];
    };

/** The address recorded on the mint as its mint authority. */
export function mintAuthorityAddress(authority: MintAuthority): Address {
  return authority.kind === 'keypair' ? authority.signer.address : authority.address;
}

/** The `mintAuthority` / `multiSigners` pair that `getMintToInstruction` takes. */
export function mintToAuthority(
  authority: MintAuthority,
): { mintAuthority: TransactionSigner } | { mintAuthority: Address; multiSigners: TransactionSigner[] } {
  return authority.kind === 'keypair'
    ? { mintAuthority: authority.signer }
    : { mintAuthority: authority.address, multiSigners: [...authority.signers] };
}

/** Checks the shape locally: a multisig needs 1 ≤ m ≤ 11 distinct signers held here. Throws a `RangeError`. */
export function assertUsableMintAuthority(authority: MintAuthority): void {
  if (authority.kind === 'keypair') {
    return;
  }
  const distinct = new Set(authority.signers.map((s) => s.address));
  if (!Number.isInteger(authority.m) || authority.m < 1 || authority.m > 11) {
    throw new RangeError(`multisig threshold m=${authority.m} must be an integer in 1..11`);
  }
  if (distinct.size !== authority.signers.length) {
    throw new RangeError('multisig signers must be distinct keys');
  }
  if (authority.signers.length !== authority.m) {
    throw new RangeError(`multisig needs exactly m=${authority.m} signer keys here, got ${authority.signers.length}`);
  }
}
