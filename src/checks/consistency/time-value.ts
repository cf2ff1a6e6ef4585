/** `2026-12-01 10:00:00` (no zone): a time as SQLite and many payloads hold it, read as UTC. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Epoch milliseconds of a stored time: a Date, a number (or numeric text) of
 * epoch milliseconds, or an ISO 8601 text (read as UTC when it names no
 * zone, as the SQL comparisons of SQLite do). Undefined when it is none.
 */
export function timeValueMs(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const ms = Date.parse(ZONELESS.test(v) ? `${v.replace(' ', 'T')}Z` : v);
  return Number.isNaN(ms) ? undefined : ms;
}
