// Pure formatting helpers: numbers and times as a person reads them.

import type { PartitionLabel } from './api/types';

/** "just now", "12 s ago", "4 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function formatAgo(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'never';
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A duration without "ago": "850 ms", "12 s", "4 min", "3.5 h", "14.7 d". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** Time running, to a tenth of a second while short: "0.4 s", "3.2 s", "12 s", "4 min", "1.5 h". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  return formatDuration(ms);
}

/** "100 %", "99.4 %", "0 %": one decimal only when it says something. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p >= 100) return '100 %';
  if (p > 99.9) return '99.9 %';
  return `${Number.isInteger(p) ? p : p.toFixed(1)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 record", "24 records". */
export function formatPlural(n: number, word: string, plural = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : plural}`;
}

/** A clock time for today ("14:03:27"), a date and time otherwise ("2025-11-02 14:03"). */
export function formatTime(ms: number | null | undefined, nowMs = Date.now()): string {
  if (ms === null || ms === undefined) return '–';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (new Date(nowMs).toDateString() === d.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

/** A partition label; calendar labels lose the noise of ":00.000" seconds. */
export function formatPartition(p: PartitionLabel | null | undefined): string {
  if (p === null || p === undefined) return '–';
  if (typeof p === 'number') return String(p);
  return p.replace(/:00(\.000)?(?=Z|[+-]\d\d:\d\d|$)/, '').replace('T', ' ');
}

/** "3005" for a single partition, "3005 – 3009" for a range. */
export function formatRange(from: PartitionLabel, to: PartitionLabel): string {
  return from === to ? formatPartition(from) : `${formatPartition(from)} – ${formatPartition(to)}`;
}

/** One line of JSON, cut to `max` characters. */
export function previewJson(value: unknown, max = 90): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
