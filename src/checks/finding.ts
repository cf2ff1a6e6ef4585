/**
 * One thing a check found wrong, named by `key` (for a consistency check: the
 * parent's key whose child is missing) with what a person needs to see about
 * it (`fields`, e.g. the parent's time). Repairs act on findings by key.
 */
export interface Finding {
  key: string;
  fields: Record<string, unknown>;
}

/**
 * The key of a gap as a finding, the same in a check's sample and in a repair
 * (so `repair --keys` takes what a run listed): `3005` for one partition,
 * `3005..3010` for several.
 */
export function gapFindingKey(gap: { from: unknown; to: unknown }): string {
  return gap.from === gap.to ? String(gap.from) : `${gap.from}..${gap.to}`;
}
