import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { BackfillPlan, BackfillRequest, BackfillResponse, DatasetStatus } from '../api/types';
import { useApp } from '../app-store';
import { formatCount, formatRange } from '../format';
import { TokenPrompt } from './token-prompt';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'done'; response: BackfillResponse }
  | { kind: 'error'; message: string }
  | { kind: 'needs-token'; request: BackfillRequest };

function PlanResult({ plan }: { plan: BackfillPlan }) {
  const ranges = plan.ranges ?? plan.gaps ?? [];
  const partitions =
    plan.partitions ?? plan.ordinals?.length ?? ranges.reduce((n, r) => n + (r.count ?? 0), 0);
  if (partitions === 0) {
    return <p class="result tone-good">Dry run: nothing to fetch, the range has no open gaps.</p>;
  }
  return (
    <div class="result">
      <p>
        Dry run: would fetch <strong>{formatCount(partitions)}</strong> partition{partitions === 1 ? '' : 's'}{' '}
        in {ranges.length} range{ranges.length === 1 ? '' : 's'}:
      </p>
      <ul class="plan-ranges mono">
        {ranges.slice(0, 10).map((r) => (
          <li key={`${r.from}-${r.to}`}>{formatRange(r.from, r.to)}</li>
        ))}
        {ranges.length > 10 ? <li>… and {ranges.length - 10} more</li> : null}
      </ul>
    </div>
  );
}

/** What the server did: planned (dry run), started a run, or found nothing to fetch. */
function Done({ response }: { response: BackfillResponse }) {
  const { run } = response;
  if (run) {
    return (
      <p class="result tone-good">
        Backfill run #{run.id} started for {formatCount(run.requested)} partition
        {run.requested === 1 ? '' : 's'}; follow it under "Backfill runs".
      </p>
    );
  }
  if (response.dryRun) return <PlanResult plan={response.plan} />;
  return <p class="result tone-good">Nothing to fetch: the range has no open gaps, so no run was started.</p>;
}

/** Starts a backfill (or a dry run) for a dataset; asks for the token when the server says 401. */
export function BackfillForm({ dataset, onStarted }: { dataset: DatasetStatus; onStarted: () => void }) {
  const { api, token, setToken } = useApp();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  // An example the server accepts: the dataset's own first partition, as the API names it.
  const example =
    dataset.first !== null ? String(dataset.first) : dataset.kind === 'sequence' ? '3001' : '2025-11-01';

  const send = async (request: BackfillRequest) => {
    setOutcome({ kind: 'sending' });
    try {
      const response = await api.startBackfill(dataset.name, request);
      setOutcome({ kind: 'done', response });
      if (response.run) onStarted();
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) setOutcome({ kind: 'needs-token', request });
      else setOutcome({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <div class="backfill-form">
      <form
        data-testid="backfill-form"
        onSubmit={(e) => {
          e.preventDefault();
          const request: BackfillRequest = { dryRun };
          if (from.trim()) request.from = from.trim();
          if (to.trim()) request.to = to.trim();
          void send(request);
        }}
      >
        <div class="form-row">
          <label>
            From <span class="muted">(optional)</span>
            <input
              name="from"
              value={from}
              placeholder={`e.g. ${example}`}
              onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <label>
            To <span class="muted">(optional)</span>
            <input
              name="to"
              value={to}
              placeholder="latest"
              onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
        </div>
        <label class="checkbox">
          <input
            type="checkbox"
            name="dryRun"
            checked={dryRun}
            onChange={(e) => setDryRun((e.currentTarget as HTMLInputElement).checked)}
          />
          Dry run: only show what would be fetched
        </label>
        <button type="submit" disabled={outcome.kind === 'sending'}>
          {dryRun ? 'Plan backfill' : 'Start backfill'}
        </button>
        <p class="hint muted">Without a range, every open gap is fetched again from the source.</p>
      </form>
      <div aria-live="polite" data-testid="backfill-result">
        {outcome.kind === 'sending' ? <p class="result muted">Sending…</p> : null}
        {outcome.kind === 'error' ? <p class="result tone-bad">{outcome.message}</p> : null}
        {outcome.kind === 'needs-token' ? (
          <TokenPrompt
            hadToken={token !== null}
            onSave={(t) => {
              setToken(t);
              void send(outcome.request);
            }}
          />
        ) : null}
        {outcome.kind === 'done' ? <Done response={outcome.response} /> : null}
      </div>
    </div>
  );
}
