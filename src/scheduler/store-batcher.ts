/**
 * Turns single calls into batches: the calls made before the batch is flushed
 * go to `flush` as one batch. `after: 'microtask'` flushes once the current
 * synchronous code is done (a tick's loop over its due runs); `'immediate'`
 * on the next `setImmediate`, so runs ending in the same turn of the event
 * loop share a batch. One batch is in flight at a
 * time; calls made meanwhile form the next one. `flush` returns one result per
 * item, in order; when it throws, every call of that batch rejects with it.
 *
 * @example
 * const claim = createBatcher((claims: JobClaim[]) => store.claimJobRuns(claims), 'microtask');
 * const [a, b] = await Promise.all([claim(c1), claim(c2)]); // one transaction
 */
export function createBatcher<I, O>(
  flush: (items: I[]) => Promise<O[]>,
  after: 'microtask' | 'immediate',
): (item: I) => Promise<O> {
  let pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let inFlight = false;

  const run = async () => {
    scheduled = false;
    if (inFlight || pending.length === 0) return;
    inFlight = true;
    const batch = pending;
    pending = [];
    try {
      const out = await flush(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(out[i] as O);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      inFlight = false;
      if (pending.length > 0) schedule();
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (after === 'microtask') queueMicrotask(run);
    else setImmediate(run);
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!inFlight) schedule();
    });
}
