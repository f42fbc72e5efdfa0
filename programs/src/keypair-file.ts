import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createKeyPairSignerFromBytes,
  getAddressEncoder,
  createKeyPairSignerFromPrivateKeyBytes,
  type KeyPairSigner,
} from '@solana/kit';

/** A keypair file that is missing, unreadable or not in the Solana CLI format. */
export class KeypairFileError extends Error {
  override readonly name = 'KeypairFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`keypair file ${file}: ${detail}`);
  }
}

/**
 * Reads a keypair in the Solana CLI format (a JSON array of 64 bytes: secret seed ‖ public key), as written by
 * `solana-keygen new` or {@link writeNewKeypairFile}. The public half must match the secret half.
 */
export async function readKeypairFile(file: string): Promise<KeyPairSigner> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KeypairFileError(file, (error as Error).message);
  }
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    throw new KeypairFileError(file, 'not JSON');
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new KeypairFileError(file, 'expected a JSON array of 64 bytes');
  }
  try {
    return await createKeyPairSignerFromBytes(Uint8Array.from(bytes as number[]));
  } catch (error) {
    throw new KeypairFileError(file, `not a valid ed25519 keypair (${(error as Error).message})`);
  }
}

/**
 * Creates a fresh keypair, writes it in the Solana CLI format with mode 0600 (atomically: temp file + rename, so a
 * crash never leaves half a key), and returns its signer. Refuses to overwrite an existing file.
 */
export async function writeNewKeypairFile(file: string): Promise<KeyPairSigner> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // Claim the name first, so an existing key is never replaced.
    await writeFile(file, '', { flag: 'wx', mode: 0o600 });
  } catch {
    throw new KeypairFileError(file, 'already exists; refusing to overwrite a key');
  }
  const seed = randomBytes(32);
  try {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify([...seed, ...getAddressEncoder().encode(signer.address)]), { mode: 0o600 });
    await rename(temp, file);
    return signer;
  } finally {
    seed.fill(0);
  }
}
