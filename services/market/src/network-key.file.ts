import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyPairFromSeed } from '@groundtruth/protocol';
import { NetworkKey } from './core/network-key.js';

/**
 * Loads the network key from a Solana CLI keypair file; with `create`, a missing file is made (mode 0600,
 * written atomically). The secret never leaves this function except inside the NetworkKey.
 */
export async function loadNetworkKey(path: string, create = false): Promise<NetworkKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) {
      throw new Error(`network key ${path}: ${(error as Error).message}`);
    }
    const seed = randomBytes(32);
    const pair = keyPairFromSeed(seed);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify([...pair.secretKey]), { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
    seed.fill(0);
    return NetworkKey.fromSecret(pair.secretKey);
  }
  try {
    return NetworkKey.fromKeypairJson(text);
  } catch (error) {
    throw new Error(`network key ${path}: ${(error as Error).message}`);
  }
}
