/**
 * The bridge's logger: the same shape and JSON-lines format as `createLogger` of @groundtruth/service-kit, kept
 * here so the bridge installs on its own (a Raspberry Pi needs no pg or prom-client). A service that embeds the
 * bridge passes its own service-kit logger; it fits this interface. Never pass a secret key in `fields`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface BridgeLogger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): BridgeLogger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  readonly base?: Record<string, unknown>;
  /** where lines go; defaults to stdout (stderr for warn and error) */
  readonly write?: (line: string, level: LogLevel) => void;
}

const defaultWrite = (line: string, level: LogLevel): void => {
  (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(line + '\n');
};

const serialize = (value: unknown): unknown =>
  value instanceof Error
    ? { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) }
    : value;

export function createJsonLogger(options: JsonLoggerOptions = {}): BridgeLogger {
  const threshold = ORDER[options.level ?? 'info'];
  const base = options.base ?? {};
  const write = options.write ?? defaultWrite;
  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < threshold) {
      return;
    }
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, event, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) {
      record[key] = serialize(value);
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
    child: (fields) => createJsonLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** Keeps nothing: for tests and for fleets whose devices would otherwise log a line each. */
export const silentBridgeLogger: BridgeLogger = createJsonLogger({ level: 'error', write: () => undefined });
