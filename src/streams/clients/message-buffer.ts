/**
 * Messages pushed by an engine's own delivery loop (a JetStream `consume()`
 * iterator, a Kafka message stream), taken in batches by `fetch`. The
 * engine's flow control (JetStream `max_ack_pending`, Kafka's fetch size)
 * bounds how much is buffered.
 */
export interface MessageBuffer<T> {
  push(item: T): void;
  /** Marks the end (the delivery loop stopped); `error` rejects waiting takers. */
  end(error?: unknown): void;
  /** Up to `max` items, waiting at most `waitMs` for the first; rejects when `signal` aborts. */
  take(max: number, waitMs: number, signal?: AbortSignal): Promise<T[]>;
  readonly size: number;
}

export function createMessageBuffer<T>(): MessageBuffer<T> {
  let items: T[] = [];
  let head = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;

  const drain = (max: number): T[] => {
    const out = items.slice(head, head + max);
    head += out.length;
    if (head >= items.length) {
      items = [];
      head = 0;
    } else if (head > 4096) {
      items = items.slice(head);
      head = 0;
    }
    return out;
  };

  return {
    get size() {
      return items.length - head;
    },
    push(item) {
      items.push(item);
      wake?.();
    },
    end(error) {
      ended = true;
      failure = error;
      wake?.();
    },
    async take(max, waitMs, signal) {
      signal?.throwIfAborted();
      if (items.length - head === 0 && !ended && waitMs > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        });
        signal?.throwIfAborted();
      }
      if (items.length - head === 0 && ended && failure !== undefined) throw failure;
      return drain(max);
    },
  };
}
