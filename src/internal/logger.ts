import { pino } from 'pino';

/** pino-style structured logger: an object with a `msg`, never string concatenation. */
export interface Logger {
  debug(obj: Record<string, unknown>): void;
  info(obj: Record<string, unknown>): void;
  warn(obj: Record<string, unknown>): void;
  error(obj: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A JSON logger writing to stderr (so stdout stays clean for `--json`). */
export function createLogger(level: LogLevel = 'info'): Logger {
  const base = pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (o) => p.debug(o),
    info: (o) => p.info(o),
    warn: (o) => p.warn(o),
    error: (o) => p.error(o),
    child: (b) => wrap(p.child(b)),
  };
}

/** A logger that drops everything; for tests and benchmarks. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
