import { InvalidArgumentError } from 'commander';

/** Where a command writes: stdout for results (scriptable), stderr for messages. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** commander argument parsers that fail with a readable message. */
export const parse = {
  int:
    (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
    (value: string): number => {
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
      }
      return n;
    },
  number:
    (name: string, min: number, max: number) =>
    (value: string): number => {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
        throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}]`);
      }
      return n;
    },
  url:
    (name: string) =>
    (value: string): string => {
      try {
        new URL(value);
        return value;
      } catch {
        throw new InvalidArgumentError(`${name} must be a URL`);
      }
    },
};
