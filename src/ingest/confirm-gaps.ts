import type { Range } from '../domain/range-set.js';
import type { Store } from '../store/store.js';
import type { DatasetRuntime } from './dataset-runtime.js';

/** Records read per query once a range turns out to hold some. */
const PAGE = 5_000;

/**
 * Narrows the gaps a process's coverage just opened to the partitions the
 * store really lacks. Coverage is loaded from the store at start and then
 * learns only what this process stores; another process sharing the store
 * (several `serve` instances on one PostgreSQL database) may have stored the
 * partitions in between. Those are added to coverage here instead of being
 * announced as a gap and fetched again. Alone on its store a process finds
 * nothing, at the cost of one indexed read of one row per gap.
 */
export async function confirmGaps(store: Store, rt: DatasetRuntime, opened: Range[]): Promise<Range[]> {
  const name = rt.config.name;
  let found = 0;
  for (const [a, b] of opened) {
    const stored = await storedOrdinals(store, name, a, b);
    rt.coverage.add(stored);
    found += stored.length;
  }
  if (found === 0) return opened;
  // Coverage was behind the store: what other processes learned is not found either.
  const known = await store.loadKnownMissing(name);
  for (const [a, b] of known.ranges()) {
    const ordinals: number[] = [];
    for (let n = a; n <= b; n++) ordinals.push(n);
    rt.coverage.addKnownMissing(ordinals);
  }
  return opened.flatMap(([a, b]) => rt.coverage.gaps(a, b));
}

/**
 * Ordinals of the records stored in `[a, b]`, newest first. The first read asks
 * for one row, so an empty range costs one query whatever its width; after
 * that, pages of rows (a partition with several records may repeat).
 */
async function storedOrdinals(store: Store, dataset: string, a: number, b: number): Promise<number[]> {
  const out: number[] = [];
  let before = b + 1;
  for (let limit = 1; ; limit = PAGE) {
    const rows = await store.listRecords(dataset, { limit, beforeOrdinal: before });
    for (const r of rows) {
      if (r.ordinal < a) return out;
      out.push(r.ordinal);
    }
    if (rows.length < limit) return out;
    before = rows[rows.length - 1]!.ordinal;
  }
}
