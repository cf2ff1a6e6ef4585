import { pino } from 'pino';
import type { Logger, LogLevel } from '../internal/logger.js';

/**
 * A JSON logger writing to stderr (so stdout stays clean for `--json`), or to
 * `destination` (a stream of JSON lines, e.g. for tests that read the logs).
 * Here rather than in `internal/`: it does I/O, and `internal/` holds none.
 */
export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  const base = pino({ level, base: undefined }, destination ?? pino.destination({ fd: 2, sync: true }));
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
