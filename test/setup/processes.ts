import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Sends `signal`, waits for the process to go, escalates to SIGKILL after `timeoutMs`. */
export async function killAndWait(pid: number, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  send(signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      send('SIGKILL');
    }
    await sleep(20);
  }
}

export interface OsUser {
  uid: number;
  gid: number;
  name: string;
}

/** When we are root, the unprivileged account to run PostgreSQL as (initdb refuses root). */
export function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), name: 'postgres' };
  } catch {
    throw new Error('running as root but there is no "postgres" OS user: run scripts/install-test-deps.sh');
  }
}

/** Recursively hands a directory to `user` (so initdb, running as that user, can write it). */
export function chownTree(dir: string, user: OsUser): void {
  const result = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  if (result.status !== 0) {
    throw new Error(`chown ${dir} failed: ${String(result.stderr)}`);
  }
}
