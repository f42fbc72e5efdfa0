import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('../../../../test/support/ts-register.mjs', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface IngestProcess {
  readonly child: ChildProcess;
  /** every JSON log line it wrote */
  readonly events: Record<string, unknown>[];
  /** resolves when the process exits */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs services/ingest/src/main.ts (the real process entry: the Nest microservice) in a child process with
 * the given environment; resolves once it logged `ingest_started`.
 */
export async function spawnIngest(env: Record<string, string>, timeoutMs = 30_000): Promise<IngestProcess> {
  const child = spawn(process.execPath, ['--conditions=@groundtruth/source', '--import', REGISTER, MAIN], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.startsWith('{')) {
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a partial line: ignore
        }
      }
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    collect(chunk);
  });
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((value) => (exit = value));
  while (!events.some((event) => event.event === 'ingest_started')) {
    if (exit !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ingest process did not start (exit ${JSON.stringify(exit)}):\n${stderr.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, events, exited };
}
