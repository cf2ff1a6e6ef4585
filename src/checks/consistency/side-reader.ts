/**
 * One row of a consistency check's side, whichever database or dataset it
 * was read from: its key as text (what parents and children join on), the
 * key as stored, its time in epoch ms (undefined when it has none) and the
 * time as a person reads it.
 */
export interface SideRow {
  key: string;
  value: unknown;
  t: number | undefined;
  shown: unknown;
}

/**
 * How a consistency check reads one side when its parents and children are
 * not in the same database (one or both are gapwarden datasets): the rows in a
 * window (parents), and the rows with given keys (children, or parents
 * re-verified before a repair).
 */
export interface SideReader {
  inWindow(fromMs: number, toMs: number): Promise<SideRow[]>;
  withKeys(keys: readonly string[]): Promise<SideRow[]>;
}
