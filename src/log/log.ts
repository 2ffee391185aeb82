// Structured logging: one JSON object per line on stdout, which journald collects on the device.
// Callers pass an event name and plain fields; passwords and message bodies are never passed here.

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  // A logger whose lines all carry these fields too (a session id, a protocol name).
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  level?: Level;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}, bound: Fields = {}): Logger {
  const min = rank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const emit = (level: Level, event: string, fields?: Fields) => {
    if (rank[level] < min) return;
    const record = { time: new Date().toISOString(), level, event, ...bound, ...fields };
    write(`${JSON.stringify(record, replacer)}\n`);
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

// Errors become their message and code; bigints become strings (JSON has no bigint).
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return code ? { message: value.message, code } : { message: value.message };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

// For tests and tools that must stay quiet.
export const silentLogger: Logger = createLogger({ write: () => {} });
