import type { RepairAction, RepairRun } from './repair-journal.js';
import type { RepairReport } from './repair-runner.js';
import type { RollbackReport } from './rollback-run.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** What `gapwarden repair` prints: the preview lines, or the run's counts and journal id. */
export function formatRepairReport(r: RepairReport): string {
  const lines: string[] = [];
  const scope = `${r.planned} finding(s) in ${r.batches} batch(es) of ${r.batchSize}`;
  if (r.dryRun) {
    lines.push(`dry run of the ${r.kind} repair of ${r.check}: ${scope}; nothing was changed`);
    for (const p of r.preview) {
      const a = p.action;
      const what =
        a.kind === 'sql'
          ? `${String(a.sql).replace(/\s+/g, ' ').trim()}  -- params ${JSON.stringify(a.params)}`
          : a.kind === 'http'
            ? `${a.method} ${a.url}${a.body === undefined ? '' : ` ${JSON.stringify(a.body)}`}`
            : `${a.kind} ${JSON.stringify(a.fields ?? a.finding ?? {})}`;
      lines.push(`  batch ${p.batch}  ${p.key}  ${what}`);
    }
  } else if (r.status === 'nothing-to-do') {
    lines.push(
      `${r.check}: nothing to repair (no current finding${r.notFindings.length ? ' among the keys asked for' : ''})`,
    );
  } else {
    const c = r.counts;
    lines.push(
      `${r.status === 'done' ? 'repaired' : 'STOPPED'} ${r.check} (journal id ${r.journalId}): ${c.repaired} repaired, ${c.unchanged} unchanged, ${c.fixedMeanwhile} fixed meanwhile, ${c.failed} failed; ${c.batchesDone}/${r.batches} batch(es)`,
    );
    if (r.error) lines.push(`  ${r.error}`);
    lines.push(`  undo with: gapwarden rollback ${r.journalId}`);
  }
  if (r.deferred > 0) lines.push(`  more findings remain beyond --max ${r.planned}: run again for the rest`);
  if (r.notFindings.length > 0) lines.push(`  not findings now (left alone): ${r.notFindings.join(', ')}`);
  return lines.join('\n');
}

export function formatRollback(r: RollbackReport): string {
  return `rolled back run ${r.journalId} of ${r.check}: ${r.undone} action(s) undone${r.restoredRows ? `, ${r.restoredRows} row(s) restored` : ''}`;
}

function rollbackText(r: RepairRun): string {
  if (r.rollbackStatus === 'done') return `rolled back ${iso(r.rollbackAt)}`;
  if (r.rollbackStatus) return `rollback ${r.rollbackStatus}`;
  return r.rollbackError ? 'rollback refused' : '';
}

/** `gapwarden journal`: one line per run, newest first. */
export function formatJournal(runs: readonly RepairRun[]): string {
  if (runs.length === 0) return 'no repair runs yet';
  const rows = runs.map((r) =>
    [
      String(r.id),
      r.check,
      r.kind,
      r.status,
      `${r.repaired}/${r.planned}`,
      `${r.fixedMeanwhile}`,
      `${r.failed}`,
      iso(r.startedAt),
      r.actor,
      rollbackText(r),
    ].join('\t'),
  );
  return ['id\tcheck\tkind\tstatus\trepaired\tfixed-meanwhile\tfailed\tstarted\tby\trollback', ...rows].join(
    '\n',
  );
}

/** `gapwarden journal <id>`: a run and each action. */
export function formatJournalEntry(run: RepairRun, actions: readonly RepairAction[]): string {
  const lines = [formatJournal([run]), ...(run.error ? [`error: ${run.error}`] : [])];
  if (run.rollbackError) lines.push(`rollback: ${run.rollbackError}`);
  for (const a of actions) {
    const c = a.change;
    const detail =
      c.kind === 'sql'
        ? `${c.before.length} row(s) before, ${c.after.length} after`
        : c.kind === 'http'
          ? `${c.request.method} ${c.request.url} -> ${c.status}`
          : '';
    lines.push(
      `  #${a.seq} batch ${a.batch} ${a.key} ${a.outcome}${a.rolledBackAt ? ' (rolled back)' : ''} ${detail}${a.error ? ` ${a.error}` : ''}`,
    );
  }
  return lines.join('\n');
}
