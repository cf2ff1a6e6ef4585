import { dayNumberToDate, formatDayNumber, localDayNumber, zonedToInstant } from '../domain/time-zone.js';

/** One local day of a window, clipped to it: [fromMs, toMs). */
export interface DaySlice {
  day: string;
  fromMs: number;
  toMs: number;
}

/** The local day (YYYY-MM-DD in `tz`) an instant falls on. */
export function localDay(tz: string, instantMs: number): string {
  return formatDayNumber(localDayNumber(tz, instantMs));
}

/** The local days of `tz` that [fromMs, toMs) touches, each clipped to the window, oldest first. */
export function daySlices(tz: string, fromMs: number, toMs: number): DaySlice[] {
  const out: DaySlice[] = [];
  if (toMs <= fromMs) return out;
  const first = localDayNumber(tz, fromMs);
  const last = localDayNumber(tz, toMs - 1);
  for (let n = first; n <= last; n++) {
    const start = Math.max(fromMs, startOfDay(tz, n));
    const end = Math.min(toMs, startOfDay(tz, n + 1));
    if (end > start) out.push({ day: formatDayNumber(n), fromMs: start, toMs: end });
  }
  return out;
}

function startOfDay(tz: string, dayNumber: number): number {
  return zonedToInstant(tz, { ...dayNumberToDate(dayNumber), hour: 0, minute: 0, second: 0 });
}
