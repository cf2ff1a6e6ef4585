import { table } from '../internal/text-table.js';
import type { RestoreReport, RetentionReport, VerifyReport } from './archive-runner.js';
import type { ArchiveUsage } from './archive-runtime.js';
import type { ArchiveManifest } from './store/archive-store.js';

const size = (bytes: number) =>
  bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GiB`
    : bytes >= 1 << 20
      ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
      : bytes >= 1024
        ? `${(bytes / 1024).toFixed(1)} KiB`
        : `${bytes} B`;

export function formatManifests(
  list: readonly ArchiveManifest[],
  usage: readonly ArchiveUsage[],
  where: string,
): string {
  const lines = [`objects in ${where}`];
  for (const u of usage)
    lines.push(
      `${u.dataset}: ${u.parts} parts, ${u.records} records, ${size(u.bytes)} (${size(u.rawBytes)} before gzip), days ${u.oldestDay ?? '-'} .. ${u.newestDay ?? '-'}`,
    );
  if (list.length === 0) return [...lines, 'no archive manifests'].join('\n');
  lines.push(
    table(
      ['dataset', 'day', 'part', 'state', 'records', 'deleted', 'size', 'sha256', 'error'],
      list.map((m) => [
        m.dataset,
        m.day,
        String(m.part),
        m.state,
        String(m.records),
        String(m.deletedRecords),
        size(m.bytes),
        m.sha256.slice(0, 12),
        m.error ?? '',
      ]),
    ),
  );
  return lines.join('\n');
}

export function formatRetention(reports: readonly RetentionReport[]): string {
  if (reports.length === 0) return 'no dataset has a retention (archive.datasets in the config)';
  return reports
    .map((r) => {
      const head = `${r.dataset}: days through ${r.throughDay ?? '-'}: ${r.parts.length} parts, ${r.deletedRecords} records deleted from the store, ${r.expired} archives expired`;
      const parts = r.parts.map(
        (p) => `  ${p.day} part ${p.part}: ${p.state} (${p.records} records, ${size(p.bytes)})`,
      );
      const errors = r.errors.map((e) => `  error: ${e}`);
      return [head, ...parts, ...errors].join('\n');
    })
    .join('\n');
}

export function formatVerify(list: readonly VerifyReport[]): string {
  if (list.length === 0) return 'no archive objects to verify';
  return table(
    ['day', 'part', 'result', 'records', 'size', 'ms', 'problem'],
    list.map((v) => [
      v.day,
      String(v.part),
      v.ok ? 'ok' : 'MISMATCH',
      String(v.found?.records ?? '-'),
      v.found ? size(v.found.bytes) : '-',
      v.ms.toFixed(0),
      v.problem ?? '',
    ]),
  );
}

export const formatRestore = (r: RestoreReport) =>
  `${r.dataset} ${r.day}: ${r.parts} parts read back, ${r.records} records archived, ${r.inserted} put back into the store`;
