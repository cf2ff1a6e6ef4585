import type { ArchiveManifest, ArchiveState } from '../../api/types';
import { formatDuration } from '../../format';

const DAY_MS = 86_400_000;

/** What each state means to someone reading the table. */
export const STATE_WORDS: Record<ArchiveState, { tone: string; title: string }> = {
  uploading: { tone: 'warn', title: 'being written to the object store' },
  uploaded: { tone: 'warn', title: 'written, not read back yet' },
  verified: { tone: 'good', title: 'read back and matching; the records are still in the store' },
  deleting: { tone: 'warn', title: 'verified; its records are being deleted from the store' },
  deleted: {
    tone: 'good',
    title: 'verified, and its records deleted from the store: read them from the archive',
  },
  failed: { tone: 'bad', title: 'reading it back did not match: nothing was deleted' },
  restored: { tone: 'muted', title: 'its records were put back into the store' },
  expired: { tone: 'muted', title: 'older than the archive keeps objects: the object is gone' },
};

/** "7 days", "36 h". */
export function formatSpan(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS} ${ms === DAY_MS ? 'day' : 'days'}` : formatDuration(ms);
}

/** "812 B", "14.2 KiB", "3.1 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function StatePill({ state }: { state: ArchiveState }) {
  const w = STATE_WORDS[state];
  return (
    <span class={`pill tone-${w.tone}`} data-state={state} title={w.title}>
      {state}
    </span>
  );
}

/** The partitions an object holds, as inclusive ordinal ranges: "ordinals 7440–7463". */
export function Ordinals({ manifest }: { manifest: ArchiveManifest }) {
  if (manifest.ordinals.length === 0) return null;
  const partitions = manifest.ordinals.reduce((n, [a, b]) => n + b - a + 1, 0);
  const text = manifest.ordinals.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
  return (
    <span class="dataset-sub" title={`partition ordinals ${text}`}>
      {partitions} {partitions === 1 ? 'partition' : 'partitions'} · ordinals {text}
    </span>
  );
}
