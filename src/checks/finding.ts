/**
 * One thing a check found wrong, named by `key` (for a consistency check: the
 * parent's key whose child is missing) with what a person needs to see about
 * it (`fields`, e.g. the parent's time). Repairs act on findings by key.
 */
export interface Finding {
  key: string;
  fields: Record<string, unknown>;
}
