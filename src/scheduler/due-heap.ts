/**
 * A binary min-heap of job ids keyed by due time, with an index from id to
 * slot so a job's due time can be changed or removed in O(log n). Equal due
 * times come out first-set first-out, so the order is deterministic and a job
 * cannot be starved by others that share its due time. (Ties are the common
 * case, as schedules align to whole seconds; comparing numbers, not ids, keeps
 * them cheap.)
 *
 * @example
 * const heap = new DueHeap();
 * heap.set('a', 2000);
 * heap.set('b', 1000);
 * heap.peek(); // { id: 'b', dueMs: 1000 }
 */
export class DueHeap {
  // Entries know their own slot, so moving one costs a field write rather than a Map update.
  private readonly heap: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The due time of `id`, if it is in the heap. */
  dueOf(id: string): number | undefined {
    return this.byId.get(id)?.dueMs;
  }

  /** Adds `id`, or moves it to a new due time. */
  set(id: string, dueMs: number): void {
    if (Number.isNaN(dueMs)) throw new RangeError(`due time of ${id} is NaN`);
    const entry = this.byId.get(id);
    if (entry === undefined) {
      const added: Entry = { id, dueMs, seq: this.sequence++, slot: this.heap.length };
      this.heap.push(added);
      this.byId.set(id, added);
      this.up(added.slot);
      return;
    }
    const before = entry.dueMs;
    entry.dueMs = dueMs;
    entry.seq = this.sequence++;
    if (dueMs < before) this.up(entry.slot);
    else this.down(entry.slot);
  }

  /** Removes `id`; returns whether it was there. */
  delete(id: string): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    this.byId.delete(id);
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.place(last, entry.slot);
      this.up(last.slot);
      this.down(last.slot);
    }
    return true;
  }

  /** The earliest entry without removing it. */
  peek(): { id: string; dueMs: number } | undefined {
    const top = this.heap[0];
    return top === undefined ? undefined : { id: top.id, dueMs: top.dueMs };
  }

  /** The earliest due time, or undefined when empty. */
  peekDue(): number | undefined {
    return this.heap[0]?.dueMs;
  }

  /** Removes and returns the earliest entry. */
  pop(): { id: string; dueMs: number } | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.byId.delete(top.id);
    const last = this.heap.pop()!;
    if (last !== top) {
      this.place(last, 0);
      this.down(0);
    }
    return { id: top.id, dueMs: top.dueMs };
  }

  private place(entry: Entry, slot: number): void {
    this.heap[slot] = entry;
    entry.slot = slot;
  }

  private up(start: number): void {
    const entry = this.heap[start]!;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (!before(entry, p)) break;
      this.place(p, i);
      i = parent;
    }
    this.place(entry, i);
  }

  private down(start: number): void {
    const entry = this.heap[start]!;
    const n = this.heap.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(this.heap[r]!, this.heap[l]!) ? r : l;
      const c = this.heap[child]!;
      if (!before(c, entry)) break;
      this.place(c, i);
      i = child;
    }
    this.place(entry, i);
  }
}

interface Entry {
  readonly id: string;
  dueMs: number;
  /** When it was last set: the tie-break. */
  seq: number;
  slot: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
