import { Cron } from 'croner';
import type { DatasetRuntime } from '../engine/dataset-runtime.js';
import { describeError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';

export interface Collectors {
  stop(): Promise<void>;
}

/**
 * Runs each dataset's `collect` on its cron schedule. A tick that is due while
 * the previous one still runs is skipped (no overlap), and one failing tick
 * never stops the schedule.
 */
export function startCollectors(deps: {
  datasets: Iterable<DatasetRuntime>;
  collect: (dataset: string) => Promise<unknown>;
  logger: Logger;
  events: EventBus;
}): Collectors {
  const crons: Cron[] = [];
  const running = new Set<Promise<unknown>>();
  for (const rt of deps.datasets) {
    const c = rt.config.collect;
    if (!c || !rt.source) continue;
    const name = rt.config.name;
    const cron = new Cron(c.schedule, { timezone: c.timezone, protect: true }, async () => {
      const p = deps.collect(name).catch((err) => {
        deps.logger.warn({ msg: 'collect failed', dataset: name, error: describeError(err) });
        deps.events.emit('collect:failed', { dataset: name, error: describeError(err) });
      });
      running.add(p);
      await p;
      running.delete(p);
    });
    crons.push(cron);
  }
  return {
    async stop() {
      for (const c of crons) c.stop();
      await Promise.allSettled([...running]);
    },
  };
}
