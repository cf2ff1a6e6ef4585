import type { RawRecord, Rejection } from '../source.js';
import type { HttpResponseMapping, ResponsePredicate } from './http-source-schema.js';

/** Marks a path that does not exist, as distinct from a present `undefined`/`null`. */
const MISSING: unique symbol = Symbol('missing');

/**
 * The value at a dot path (`a.b.0.c`); '' or '.' is `root` itself. Numeric
 * segments index arrays. Returns MISSING when any step does not exist.
 */
export function getPath(root: unknown, path: string): unknown {
  if (path === '' || path === '.') return root;
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return MISSING;
    if (!Object.hasOwn(current, segment)) return MISSING;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Whether getPath found nothing. */
export function isMissing(value: unknown): value is typeof MISSING {
  return value === MISSING;
}

/** The value a predicate looks at, and whether it matches. Compared as strings (YAML `10000` vs body `"10000"`). */
export function checkPredicate(body: unknown, p: ResponsePredicate): { matches: boolean; found: string } {
  const value = getPath(body, p.path);
  const found = isMissing(value) ? 'missing' : (JSON.stringify(value) ?? String(value));
  const matches = !isMissing(value) && value !== undefined && String(value) === String(p.equals);
  return { matches, found };
}

/** Describes a value's type for rejection reasons. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** The outcome of locating the items in a body. */
export type ItemsResult = { ok: true; items: unknown[] } | { ok: false; reason: string };

/**
 * The items at `mapping.records`: an array is the items; `null` is zero items
 * (APIs often send `"data": null` when empty). One object is one item only when
 * `mapping.single` says so: otherwise it is most likely a path that stops one
 * level too early, and taking it as a record would hide that.
 */
export function extractItems(body: unknown, mapping: HttpResponseMapping): ItemsResult {
  const value = getPath(body, mapping.records);
  const at = `records path "${mapping.records}"`;
  if (isMissing(value)) return { ok: false, reason: `${at} is missing in the response` };
  if (value === null) return { ok: true, items: [] };
  if (Array.isArray(value)) return { ok: true, items: value };
  if (typeof value === 'object') {
    if (mapping.single) return { ok: true, items: [value] };
    return {
      ok: false,
      reason: `${at} holds an object (${describeFields(value)}), expected an array of items; point response.records at the array, or set response.single: true if the source answers with one record as an object`,
    };
  }
  return {
    ok: false,
    reason: `${at} holds ${typeName(value)}, expected an array${mapping.single ? ' or an object' : ''}`,
  };
}

/** The first few field names of an object, to help find the right path. */
function describeFields(value: object): string {
  const names = Object.keys(value);
  if (names.length === 0) return 'no fields';
  const shown = names.slice(0, 6).join(', ');
  return `fields: ${shown}${names.length > 6 ? `, and ${names.length - 6} more` : ''}`;
}

/**
 * Turns items into records. A bad item becomes a Rejection (with its index,
 * counted from 0) while the valid items of the same response are kept, so one
 * broken row never costs the whole page.
 */
export function mapItems(
  items: readonly unknown[],
  mapping: HttpResponseMapping,
): { records: RawRecord[]; rejected: Rejection[] } {
  const records: RawRecord[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      rejected.push({ reason: `item ${i}: not an object (found ${typeName(item)})` });
      return;
    }
    const rawKey = getPath(item, mapping.key);
    if (isMissing(rawKey) || rawKey === null || rawKey === undefined) {
      rejected.push({ reason: `item ${i}: key field "${mapping.key}" is missing` });
      return;
    }
    if (!(typeof rawKey === 'string' || (typeof rawKey === 'number' && Number.isFinite(rawKey)))) {
      rejected.push({
        reason: `item ${i}: key field "${mapping.key}" is ${typeName(rawKey)}, expected a string or a number`,
      });
      return;
    }
    const key = String(rawKey);
    if (key === '') {
      rejected.push({ reason: `item ${i}: key field "${mapping.key}" is empty` });
      return;
    }
    const partition = getPath(item, mapping.partition);
    if (isMissing(partition)) {
      rejected.push({ reason: `item ${i}: partition field "${mapping.partition}" is missing`, key });
      return;
    }
    const payload = getPath(item, mapping.payload);
    if (isMissing(payload)) {
      rejected.push({ reason: `item ${i}: payload field "${mapping.payload}" is missing`, key });
      return;
    }
    records.push({ key, partition, payload });
  });
  return { records, rejected };
}
