import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LiteSvmGateway, type LiteSvmGatewayOptions, type LiteSvmGatewayState } from './litesvm-gateway.js';

const BYTES_FILE = 'litesvm.bin';
const STATE_FILE = 'litesvm.json';

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/**
 * Persists the embedded chain under `dir`: LiteSVM's full state (accounts, sysvars, transaction history) and the
 * gateway's block height, live blockhashes and landed transactions. Call it after every payout round and at
 * shutdown; whatever happened after the last save is lost with the process, exactly like an unsaved in-memory
 * cluster (the payout runner then finds those signatures unknown and re-sends once their blockhash expired).
 */
export async function saveLiteSvmSnapshot(gateway: LiteSvmGateway, dir: string): Promise<void> {
  const { bytes, state } = gateway.snapshot();
  await mkdir(dir, { recursive: true });
  // State first, then bytes: a crash between the two leaves an older chain with newer metadata, which only
  // keeps a few extra archived transactions and blockhashes, never loses accounts.
  await writeAtomic(path.join(dir, STATE_FILE), JSON.stringify(state));
  await writeAtomic(path.join(dir, BYTES_FILE), bytes);
}

/** The gateway saved under `dir`, or `undefined` when nothing was saved there yet. */
export async function loadLiteSvmSnapshot(
  dir: string,
  options: Omit<LiteSvmGatewayOptions, 'svm'> = {},
): Promise<LiteSvmGateway | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, BYTES_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as LiteSvmGatewayState;
  return LiteSvmGateway.fromSnapshot(bytes, state, options);
}
