/**
 * Structured logs: one JSON object per line on stdout (stderr for warn/error), with an event name and context
 * (device id, reason code, counts). Never pass a secret key in `fields`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly base?: Record<string, unknown>;
  /** where lines go; defaults to process stdout/stderr */
  readonly write?: (line: string, level: LogLevel) => void;
}

const defaultWrite = (line: string, level: LogLevel): void => {
  (LEVEL_ORDER[level] >= LEVEL_ORDER.warn ? process.stderr : process.stdout).write(line + '\n');
};

function serializeError(value: unknown): unknown {
  return value instanceof Error
    ? { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) }
    : value;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const base = options.base ?? {};
  const write = options.write ?? defaultWrite;
  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < threshold) {
      return;
    }
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, event, ...base };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        record[key] = serializeError(value);
      }
    }
    write(
      JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
      level,
    );
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that keeps nothing: for tests that assert on outcomes, not on log lines. */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: 'error' });
