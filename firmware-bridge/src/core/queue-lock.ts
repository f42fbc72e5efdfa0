import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BridgeError } from './bridge-error.js';

/** Directories locked by this process (a fleet runs many queues in one process; each dir has one owner). */
const lockedHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the queue directory's lock file (`LOCK`, holding the owner's pid). A lock left by a process that no
 * longer runs (kill -9, power loss) is taken over; a live owner makes this throw `QUEUE_LOCKED`.
 */
export function lockQueueDir(dir: string): () => void {
  const file = path.join(dir, 'LOCK');
  const key = path.resolve(dir);
  if (lockedHere.has(key)) {
    throw new BridgeError('QUEUE_LOCKED', `queue ${dir} is already open in this process`, { dir });
  }
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new BridgeError('QUEUE_LOCKED', `queue ${dir} is in use by process ${owner}`, { dir, pid: owner });
    }
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  lockedHere.add(key);
  return () => {
    lockedHere.delete(key);
    rmSync(file, { force: true });
  };
}
