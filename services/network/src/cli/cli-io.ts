/** Where the CLI writes: results to `out` (pipeable), progress and errors to `err`. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** whether `err` is a terminal (live status lines and progress bars redraw in place) */
  readonly interactive: boolean;
  /** the process environment, read once at the CLI's entry */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(env: Readonly<Record<string, string | undefined>>): CliIo {
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    interactive: process.stderr.isTTY === true,
    env,
  };
}
