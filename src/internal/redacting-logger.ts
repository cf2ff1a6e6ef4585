import type { Logger } from './logger.js';
import { noRedaction, type Redact, redactDeep } from './redactor.js';

/**
 * `logger` with every string of every log object redacted (nested fields and
 * errors included) before it is written, and the same for child bindings.
 * The one place logs are cleaned: the engine wraps whatever logger it gets.
 */
export function redactingLogger(logger: Logger, redact: Redact): Logger {
  if (redact === noRedaction) return logger;
  const clean = (o: Record<string, unknown>) => redactDeep(o, redact) as Record<string, unknown>;
  return {
    debug: (o) => logger.debug(clean(o)),
    info: (o) => logger.info(clean(o)),
    warn: (o) => logger.warn(clean(o)),
    error: (o) => logger.error(clean(o)),
    child: (b) => redactingLogger(logger.child(clean(b)), redact),
  };
}
