import { useState } from 'preact/hooks';
import type { RepairCounts, RepairReport } from '../../api/types';
import { useApp } from '../../app-store';
import { formatCount, formatPlural, previewJson } from '../../format';
import { useWriteAction, WriteProblem } from './use-write-action';

/** What an action would do, in a line: the SQL with its parameters, else the action as JSON. */
export function describeAction(action: Record<string, unknown>): string {
  if (typeof action.sql === 'string') {
    const params = Array.isArray(action.params) ? ` with ${previewJson(action.params, 80)}` : '';
    return `${action.sql}${params}`;
  }
  return previewJson(action, 200);
}

/** The outcome of a repair run, count by count. */
export function RepairOutcome({ counts }: { counts: RepairCounts }) {
  const parts: [keyof RepairCounts, string][] = [
    ['repaired', 'repaired'],
    ['unchanged', 'unchanged'],
    ['fixedMeanwhile', 'fixed meanwhile'],
    ['failed', 'failed'],
  ];
  return (
    <ul class="repair-counts" data-testid="repair-counts">
      {parts.map(([k, label]) => (
        <li key={k} data-count={k} class={k === 'failed' && counts.failed > 0 ? 'tone-bad' : undefined}>
          <strong>{formatCount(counts[k])}</strong> {label}
        </li>
      ))}
      <li class="muted">
        of {formatCount(counts.planned)} planned, {formatPlural(counts.batchesDone, 'batch', 'batches')} done
      </li>
    </ul>
  );
}

function PreviewTable({ report }: { report: RepairReport }) {
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="repair-preview">
        <thead>
          <tr>
            <th scope="col">Finding</th>
            <th scope="col">Batch</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {report.preview.map((p) => (
            <tr key={p.key} data-key={p.key}>
              <th scope="row" class="mono">
                {p.key}
              </th>
              <td>{p.batch}</td>
              <td class="mono repair-action">{describeAction(p.action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Preview (a dry run listing each finding's action, no token needed), then Confirm,
 * which repairs them in batches and shows the outcome; the run lands in the journal.
 */
export function RepairPanel({
  name,
  kind,
  onRepaired,
}: {
  name: string;
  kind: string;
  onRepaired: () => void;
}) {
  const { api } = useApp();
  const [preview, setPreview] = useState<RepairReport | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const confirm = useWriteAction(
    () => api.repair(name),
    () => {
      setPreview(null);
      onRepaired();
    },
  );
  const loadPreview = async () => {
    setLoading(true);
    setPreviewError(null);
    try {
      setPreview(await api.previewRepair(name));
    } catch (err) {
      setPreviewError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };
  const done = confirm.state.kind === 'done' ? confirm.state.result : null;
  return (
    <section class="check-repair" aria-labelledby="repair-title" data-testid="repair">
      <h2 id="repair-title">Repair ({kind})</h2>
      <p class="muted">
        A preview changes nothing. Confirm re-verifies each finding before acting on it, in batches, and
        records every change in the journal below so it can be rolled back.
      </p>
      <button
        type="button"
        class="button-small button-quiet"
        disabled={loading}
        onClick={() => void loadPreview()}
      >
        {loading ? 'Previewing…' : preview ? 'Preview again' : 'Preview repair'}
      </button>
      {previewError ? <p class="tone-bad">Preview failed: {previewError}</p> : null}
      {preview ? (
        <div data-testid="repair-preview-summary">
          {preview.status === 'nothing-to-do' || preview.planned === 0 ? (
            <p class="tone-good">Nothing to repair: the check finds nothing to act on now.</p>
          ) : (
            <>
              <p>
                {formatPlural(preview.planned, 'action')} in{' '}
                {formatPlural(preview.batches, 'batch', 'batches')} of {preview.batchSize}
                {preview.deferred > 0
                  ? ` (${formatCount(preview.deferred)} more findings left for a later run)`
                  : ''}
              </p>
              <PreviewTable report={preview} />
              <button
                type="button"
                disabled={confirm.state.kind === 'sending'}
                title="repair these findings now (needs the API token)"
                onClick={confirm.send}
              >
                {confirm.state.kind === 'sending'
                  ? 'Repairing…'
                  : `Confirm: repair ${formatCount(preview.planned)}`}
              </button>
            </>
          )}
          {preview.notFindings.length > 0 ? (
            <p class="muted">Not findings (left alone): {preview.notFindings.join(', ')}</p>
          ) : null}
        </div>
      ) : null}
      <div aria-live="polite" data-testid="repair-result">
        {done ? (
          <div class={done.status === 'failed' ? 'tone-bad' : 'tone-good'}>
            <p>
              {done.status === 'nothing-to-do'
                ? 'Nothing to repair.'
                : done.status === 'failed'
                  ? `Repair stopped: ${done.error ?? 'a batch failed'}`
                  : `Repair done${done.journalId !== null ? ` (journal #${done.journalId})` : ''}.`}{' '}
              Run the check again to see its new score.
            </p>
            <RepairOutcome counts={done.counts} />
          </div>
        ) : null}
        <WriteProblem action={confirm} what="Repair" />
      </div>
    </section>
  );
}
