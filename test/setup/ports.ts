import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port on 127.0.0.1 that was free a moment ago (callers retry if they lose the race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until `port` accepts TCP connections; `abort` returning a reason stops early (e.g. the process died). */
export async function waitForPort(
  port: number,
  options: { timeoutMs?: number; abort?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    if (await canConnect(port)) {
      return;
    }
    const reason = options.abort?.();
    if (reason) {
      throw new Error(reason);
    }
    if (Date.now() > deadline) {
      throw new Error(`port ${port} did not accept connections within ${options.timeoutMs ?? 15_000} ms`);
    }
    await sleep(50);
  }
}

/** The first of `count` consecutive ports that were all free a moment ago (for a process that takes a port range). */
export async function freePortRange(count: number, tries = 50): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const taken = await Promise.all(Array.from({ length: count }, (_, k) => canConnect(base + k)));
    if (!taken.some(Boolean)) {
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
