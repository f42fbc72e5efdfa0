import cliProgress from 'cli-progress';
import type { CliIo } from './cli-io.js';

/** A progress display for long work: a bar on a terminal, a line every few seconds otherwise, nothing when quiet. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function startProgress(io: CliIo, label: string, total?: number): Progress {
  if (io.interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          total === undefined
            ? `${label} {value} rows · {speed} rows/s`
            : `${label} [{bar}] {percentage}% · {value}/{total} · {speed} rows/s`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(total ?? 0, 0, { speed: 0 });
    return {
      update: (done) =>
        bar.update(done, { speed: Math.round((done * 1000) / Math.max(1, performance.now() - started)) }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (done) => {
      const now = Date.now();
      if (now - last >= 5000) {
        last = now;
        io.err(`${label}: ${done}${total === undefined ? '' : `/${total}`}`);
      }
    },
    stop: () => undefined,
  };
}
