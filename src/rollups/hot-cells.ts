import type { BucketState } from './bucket-state.js';

/**
 * The decoded state of the cells written last, with the bytes written: when a
 * cell's stored bytes are still exactly those, the state is reused instead of
 * decoding the bytes again (an hour's cells are written once per ingest while
 * `serve` folds them in the ingest's transaction). Bytes that differ — another
 * process applied, a rebuild replaced the cell, a transaction rolled back —
 * are decoded as before. Least recently written first out.
 */
export class HotCells {
  private readonly cells = new Map<string, { bytes: Uint8Array; state: BucketState }>();

  constructor(private readonly capacity = 256) {}

  /**
   * The state whose serialisation is `stored`, taken out (a caller that merges
   * into it and fails must not leave a changed state behind the old bytes);
   * undefined when not kept or the bytes differ.
   */
  take(key: string, stored: Uint8Array): BucketState | undefined {
    const hit = this.cells.get(key);
    if (!hit) return undefined;
    this.cells.delete(key);
    return sameBytes(hit.bytes, stored) ? hit.state : undefined;
  }

  /** Keeps `state` as the state of `bytes`, just written for `key`. */
  keep(key: string, bytes: Uint8Array, state: BucketState): void {
    this.cells.delete(key);
    this.cells.set(key, { bytes, state });
    if (this.cells.size > this.capacity) {
      const oldest = this.cells.keys().next().value as string;
      this.cells.delete(oldest);
    }
  }

  clear(): void {
    this.cells.clear();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
