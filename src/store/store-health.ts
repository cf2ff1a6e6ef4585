import type { Clock } from '../internal/clock.js';
import type { Logger } from '../internal/logger.js';

/** Whether a store can take writes now, and if not, why. */
export interface StoreHealth {
  /** True when the store answers and nothing known keeps it from storing a write. */
  ok: boolean;
  /** What is wrong, in words that name the file or server and what to do; empty when `ok`. */
  reasons: string[];
}

/**
 * What can be wrong with a store, each remembered on its own:
 * - `file`: the SQLite file is gone or another file took its place;
 * - `write`: the last write failed for a reason that outlasts the call (disk
 *   full, read-only, I/O error), until a write succeeds again;
 * - `connection`: the server does not answer.
 */
export type StoreProblemKind = 'file' | 'write' | 'connection';

/**
 * Remembers a store's problems and logs each change of state once: an error
 * `store unavailable` when a kind of problem appears (its reason may be
 * updated afterwards without another log), an info `store is back` when the
 * last problem clears. Shared by both adapters so
 * their logs read the same.
 */
export interface StoreHealthTracker {
  fail(kind: StoreProblemKind, reason: string): void;
  clear(kind: StoreProblemKind): void;
  has(kind: StoreProblemKind): boolean;
  /** The reason remembered for `kind`, if any. */
  reasonFor(kind: StoreProblemKind): string | undefined;
  snapshot(): StoreHealth;
}

export function createStoreHealthTracker(deps: {
  /** What logs name: `sqlite:<path>` or `host:port/database`. */
  store: string;
  logger: Logger;
  clock: Clock;
}): StoreHealthTracker {
  const { store, logger, clock } = deps;
  const problems = new Map<StoreProblemKind, string>();
  let badSince: number | undefined;
  return {
    fail(kind, reason) {
      const known = problems.has(kind);
      problems.set(kind, reason);
      if (known) return;
      badSince ??= clock.now();
      logger.error({ msg: 'store unavailable', store, problem: kind, reason });
    },
    clear(kind) {
      if (!problems.delete(kind) || problems.size > 0) return;
      const downMs = badSince === undefined ? null : clock.now() - badSince;
      badSince = undefined;
      logger.info({ msg: 'store is back', store, downMs });
    },
    has: (kind) => problems.has(kind),
    reasonFor: (kind) => problems.get(kind),
    snapshot: () => ({ ok: problems.size === 0, reasons: [...problems.values()] }),
  };
}
