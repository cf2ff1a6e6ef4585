/** The one way gapwarden reads time, so tests can move it without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that only moves when told to. `sleep` resolves when `advance` passes
 * the wake-up time.
 */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function createManualClock(startMs: number): ManualClock {
  let current = startMs;
  const sleepers: { at: number; resolve: () => void }[] = [];
  const wake = () => {
    for (let i = sleepers.length - 1; i >= 0; i--) {
      const s = sleepers[i]!;
      if (s.at <= current) {
        sleepers.splice(i, 1);
        s.resolve();
      }
    }
  };
  return {
    now: () => current,
    set(ms) {
      current = ms;
      wake();
    },
    advance(ms) {
      current += ms;
      wake();
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        sleepers.push({ at: current + ms, resolve });
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        wake();
      });
    },
  };
}
