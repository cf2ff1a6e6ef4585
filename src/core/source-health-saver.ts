import type { SourceHealth } from '../domain/source-health.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import type { Store } from '../store/store.js';

/** A source's health is written at most this often while its breaker keeps its state. */
export const SOURCE_HEALTH_SAVE_INTERVAL_MS = 10_000;

export interface SourceHealthSaver {
  /**
   * A call to a source ended (`stateChanged`: its breaker changed state). Saves
   * at once on a state change and on the first call; otherwise at most once
   * per interval, keeping the newest health to save later.
   */
  note(dataset: string, health: SourceHealth, stateChanged: boolean): void;
  /** Saves every health not saved yet and waits for the writes in flight (at stop). */
  flush(): Promise<void>;
}

/**
 * Keeps the saved source health (what `status` in another process shows) close
 * to what this process sees, without a write per request: a busy source is
 * written once per SOURCE_HEALTH_SAVE_INTERVAL_MS, so the `lastSuccessAt`
 * another process reads lags by at most that much. Writes of one source are
 * chained, so an older health never overwrites a newer one.
 */
export function createSourceHealthSaver(deps: {
  store: Pick<Store, 'saveSourceHealth'>;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}): SourceHealthSaver {
  const { store, clock, logger } = deps;
  const intervalMs = deps.intervalMs ?? SOURCE_HEALTH_SAVE_INTERVAL_MS;
  const lastSaved = new Map<string, number>();
  const unsaved = new Map<string, { dataset: string; health: SourceHealth }>();
  const chains = new Map<string, Promise<void>>();

  const save = (key: string, dataset: string, health: SourceHealth) => {
    lastSaved.set(key, clock.now());
    unsaved.delete(key);
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => store.saveSourceHealth(dataset, health))
      .catch((err) =>
        logger.error({
          msg: 'could not save source health',
          dataset,
          source: health.source,
          error: describeError(err),
        }),
      );
    chains.set(key, next);
    void next.then(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  return {
    note(dataset, health, stateChanged) {
      const key = `${dataset}\u0000${health.source}`;
      const last = lastSaved.get(key);
      if (stateChanged || last === undefined || clock.now() - last >= intervalMs) save(key, dataset, health);
      else unsaved.set(key, { dataset, health });
    },
    async flush() {
      for (const [key, { dataset, health }] of [...unsaved]) save(key, dataset, health);
      await Promise.all([...chains.values()]);
    },
  };
}
