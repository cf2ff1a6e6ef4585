/**
 * Rows as the journal keeps them: JSON, with the types JSON lacks tagged so
 * that a rollback writes back the very values read (a Date stays a Date, a
 * blob stays bytes, a bigint stays exact).
 */
export type ImageValue =
  | string
  | number
  | boolean
  | null
  | { $date: string }
  | { $bytes: string }
  | { $bigint: string }
  | { $json: unknown };
export type RowImage = Record<string, ImageValue>;

export function encodeValue(v: unknown): ImageValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return { $json: v };
}

export function decodeValue(v: ImageValue): unknown {
  if (v === null || typeof v !== 'object') return v;
  if ('$date' in v) return new Date(v.$date);
  if ('$bytes' in v) return Buffer.from(v.$bytes, 'base64');
  if ('$bigint' in v) return BigInt(v.$bigint);
  return v.$json;
}

export function encodeRow(row: Readonly<Record<string, unknown>>): RowImage {
  const out: RowImage = {};
  for (const k of Object.keys(row).sort()) out[k] = encodeValue(row[k]);
  return out;
}

/** Rows in a canonical order, so two reads of the same rows compare equal whatever order they came in. */
export function encodeRows(rows: readonly Readonly<Record<string, unknown>>[]): RowImage[] {
  return rows
    .map(encodeRow)
    .map((r) => [JSON.stringify(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

export function sameRows(a: readonly RowImage[], b: readonly RowImage[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
