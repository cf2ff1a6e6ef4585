import { useState } from 'preact/hooks';
import type { ArchiveManifest, ArchiveUsage, ArchiveVerifyReport } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { formatCount, formatPlural, formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import type { ModulePages } from '../module-pages';
import { type ArchiveAction, useArchiveAction } from './archive-actions';
import { archiveApi } from './archive-api';
import { formatBytes, formatSpan, Ordinals, STATE_WORDS, StatePill } from './archive-cells';

/** Verifications run from this page, by manifest id: the server keeps no record of them. */
type Checks = Readonly<Record<number, ArchiveVerifyReport & { at: number }>>;

function verifyMessage(reports: ArchiveVerifyReport[], what: string): { message: string; ok: boolean } {
  if (reports.length === 0) return { message: `Nothing to verify ${what}: no object written yet.`, ok: true };
  const bad = reports.filter((r) => !r.ok);
  if (bad.length === 0)
    return {
      message: `Verified ${formatPlural(reports.length, 'object')} ${what}: records, size and sha256 match.`,
      ok: true,
    };
  return {
    message: `${bad.length} of ${formatPlural(reports.length, 'object')} ${what} do not match: ${bad
      .map((r) => `${r.day} part ${r.part}: ${r.problem ?? 'mismatch'}`)
      .join('; ')}`,
    ok: false,
  };
}

function Retention({ usage }: { usage: ArchiveUsage }) {
  if (usage.retentionMs === null)
    return <p class="dataset-sub">No retention configured: only archives made before are listed.</p>;
  return (
    <p class="dataset-sub" data-testid="archive-retention">
      Keeps detail records for {formatSpan(usage.retentionMs)}, then archives, verifies and deletes them ·
      archives kept {usage.keepArchivesMs === null ? 'for ever' : `for ${formatSpan(usage.keepArchivesMs)}`}
    </p>
  );
}

function Usage({ usage }: { usage: ArchiveUsage }) {
  const states = Object.entries(usage.byState).filter(([, n]) => (n ?? 0) > 0);
  return (
    <p data-testid="archive-usage">
      {usage.parts === 0 ? (
        'Nothing archived yet.'
      ) : (
        <>
          {formatPlural(usage.parts, 'object')} · {formatPlural(usage.records, 'record')} archived ·{' '}
          {formatBytes(usage.bytes)} ({formatBytes(usage.rawBytes)} before gzip) · days {usage.oldestDay} –{' '}
          {usage.newestDay}{' '}
          {states.map(([s, n]) => (
            <span key={s} class="pill" title={STATE_WORDS[s as keyof typeof STATE_WORDS]?.title}>
              {n} {s}
            </span>
          ))}
        </>
      )}
    </p>
  );
}

function Verified({ manifest, check }: { manifest: ArchiveManifest; check: Checks[number] | undefined }) {
  if (check)
    return check.ok ? (
      <span class="tone-good" data-verify="ok" title={`sha256 ${check.found?.sha256 ?? ''}`}>
        ✓ read back {formatTime(check.at)}: matches
      </span>
    ) : (
      <span class="tone-bad" data-verify="mismatch">
        ✗ {check.problem ?? 'does not match its manifest'}
      </span>
    );
  if (manifest.error) return <span class="tone-bad">{manifest.error}</span>;
  return manifest.verifiedAt ? (
    <span data-verify="verified">✓ {formatTime(manifest.verifiedAt)}</span>
  ) : (
    <span class="muted">not yet</span>
  );
}

function ManifestTable({
  manifests,
  checks,
  sending,
  onVerify,
  onRestore,
}: {
  manifests: ArchiveManifest[];
  checks: Checks;
  sending: string | null;
  onVerify: (day: string) => void;
  onRestore: (day: string) => void;
}) {
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="archive-manifests">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">State</th>
            <th scope="col">Records</th>
            <th scope="col">Size</th>
            <th scope="col">Verified</th>
            <th scope="col">Object</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {manifests.map((m) => (
            <tr key={m.id} data-manifest={m.id} data-day={m.day}>
              <th scope="row" data-label="Day">
                {m.day}
                {m.part > 1 ? <span class="dataset-sub">part {m.part}</span> : null}
                <Ordinals manifest={m} />
              </th>
              <td data-label="State">
                <StatePill state={m.state} />
              </td>
              <td data-label="Records">
                {formatCount(m.records)}
                {m.deletedRecords > 0 ? (
                  <span class="dataset-sub">{formatCount(m.deletedRecords)} deleted from the store</span>
                ) : null}
              </td>
              <td data-label="Size">
                {formatBytes(m.bytes)}
                <span class="dataset-sub">{formatBytes(m.rawBytes)} raw</span>
              </td>
              <td data-label="Verified">
                <Verified manifest={m} check={checks[m.id]} />
              </td>
              <td data-label="Object" class="mono" title={`sha256 ${m.sha256}`}>
                {m.objectKey}
              </td>
              <td data-label="Actions">
                <div class="job-buttons">
                  {m.state !== 'uploading' && m.state !== 'expired' ? (
                    <button
                      type="button"
                      class="button-small button-quiet"
                      disabled={sending !== null}
                      title="read the object back and compare it with its manifest (changes nothing)"
                      onClick={() => onVerify(m.day)}
                    >
                      {sending === `verify:${m.day}` ? 'Verifying…' : 'Verify'}
                    </button>
                  ) : null}
                  {m.state === 'deleted' || m.state === 'deleting' ? (
                    <button
                      type="button"
                      class="button-small button-quiet"
                      disabled={sending !== null}
                      title="put this day's archived records back into the store"
                      onClick={() => onRestore(m.day)}
                    >
                      {sending === `restore:${m.day}` ? 'Restoring…' : 'Restore'}
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One dataset: its retention, what is archived, the objects with their actions, the audit trail. */
function DatasetArchive({ usage, onChanged }: { usage: ArchiveUsage; onChanged: () => void }) {
  const { token } = useApp();
  const name = usage.dataset;
  const manifests = usePoll(() => archiveApi.manifests(token, name), `archive-manifests:${name}`);
  const events = usePoll(() => archiveApi.events(token, name, 15), `archive-events:${name}`);
  const [checks, setChecks] = useState<Checks>({});
  const refresh = () => {
    manifests.refresh();
    events.refresh();
    onChanged();
  };
  const action = useArchiveAction(refresh);
  const verify = (day?: string): ArchiveAction => ({
    id: day ? `verify:${day}` : 'verify',
    run: async (t) => {
      const reports = await archiveApi.verify(t, name, day);
      const at = Date.now();
      setChecks((c) => ({ ...c, ...Object.fromEntries(reports.map((r) => [r.id, { ...r, at }])) }));
      return verifyMessage(reports, day ? `of ${day}` : `of ${name}`);
    },
  });
  const runNow: ArchiveAction = {
    id: 'run',
    run: async (t) => {
      const [r] = await archiveApi.run(t, name);
      if (!r) return { message: `${name} has no retention: nothing to do.`, ok: true };
      const records = r.parts.reduce((n, p) => n + p.records, 0);
      const days = r.parts.map((p) => p.day).sort();
      const span = days[0] === days.at(-1) ? days[0] : `${days[0]} – ${days.at(-1)}`;
      const parts =
        r.parts.length === 0
          ? `Nothing to archive: no day of ${name} through ${r.throughDay ?? 'the retention'} is left in the store`
          : `Archived ${formatPlural(r.parts.length, 'object')} (${formatPlural(records, 'record')}, ${span}); deleted ${formatPlural(r.deletedRecords, 'record')} from the store`;
      const expired = r.expired > 0 ? `; ${formatPlural(r.expired, 'old archive')} expired` : '';
      const errors = r.errors.length > 0 ? `. Errors: ${r.errors.join('; ')}` : '.';
      return { message: `${parts}${expired}${errors}`, ok: r.errors.length === 0 };
    },
  };
  const restore = (day: string): ArchiveAction => ({
    id: `restore:${day}`,
    run: async (t) => {
      const r = await archiveApi.restore(t, name, day);
      return {
        message: `Restored ${day}: ${formatPlural(r.inserted, 'record')} put back into the store (${formatCount(r.records)} read from ${formatPlural(r.parts, 'object')}).`,
        ok: true,
      };
    },
  });
  const list = manifests.data;
  return (
    <section class="archive-dataset" data-archive-dataset={name}>
      <h2>
        <a href={`#/datasets/${encodeURIComponent(name)}`}>{name}</a>
      </h2>
      <Retention usage={usage} />
      <Usage usage={usage} />
      <div class="job-buttons">
        {usage.retentionMs !== null ? (
          <button
            type="button"
            disabled={action.sending !== null}
            title="archive, verify and delete every day past the retention now; expire old archives"
            onClick={() => action.send(runNow)}
          >
            {action.sending === 'run' ? 'Running retention…' : 'Run retention now'}
          </button>
        ) : null}
        {usage.parts > 0 ? (
          <button
            type="button"
            class="button-quiet"
            disabled={action.sending !== null}
            title="read every object back and compare it with its manifest (changes nothing)"
            onClick={() => action.send(verify())}
          >
            {action.sending === 'verify' ? 'Verifying…' : 'Verify every object'}
          </button>
        ) : null}
      </div>
      {action.result}
      {manifests.error && !list ? <p class="error">{manifests.error.message}</p> : null}
      {list && list.length > 0 ? (
        <ManifestTable
          manifests={list}
          checks={checks}
          sending={action.sending}
          onVerify={(day) => action.send(verify(day))}
          onRestore={(day) => action.send(restore(day))}
        />
      ) : null}
      {events.data && events.data.length > 0 ? (
        <>
          <h3>Recent activity</h3>
          <ol class="alert-timeline" data-testid="archive-events">
            {events.data.map((e) => (
              <li key={e.id}>
                <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at)}</time>{' '}
                <span class="pill">{e.event}</span> {e.day}
                {e.detail ? <span class="dataset-sub">{e.detail}</span> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/** Retention per dataset: what is archived where, verified or not, and run / verify / restore. */
export function ArchivePage({ only }: { only?: string }) {
  const { token, live } = useApp();
  const overview = usePoll(() => archiveApi.overview(token), 'archive');
  const datasets = (overview.data?.datasets ?? []).filter((d) => only === undefined || d.dataset === only);
  return (
    <section class="panel archive-page" aria-labelledby="archive-title">
      <div class="panel-head">
        <h1 id="archive-title">Archive</h1>
        <LiveIndicator polled={overview} live={live.state} onlyProblems />
      </div>
      {overview.data ? (
        <p class="muted">
          Objects go to <span class="mono">{overview.data.objectStore}</span>
        </p>
      ) : (
        <p class="muted">
          {overview.error ? `Cannot load the archive: ${overview.error.message}` : 'Loading the archive…'}
        </p>
      )}
      {overview.data && datasets.length === 0 ? (
        <p>{only ? `${only} has no retention and no archive.` : 'No dataset has a retention configured.'}</p>
      ) : null}
      {datasets.map((d) => (
        <DatasetArchive key={d.dataset} usage={d} onChanged={overview.refresh} />
      ))}
    </section>
  );
}

/** `''`: every dataset with a retention or archives; `/<dataset>`: one. */
export const archivePages: ModulePages = {
  render(rest) {
    const name = /^\/([^/?&]+)/.exec(rest)?.[1];
    return <ArchivePage only={name ? decodeURIComponent(name) : undefined} key={name ?? ''} />;
  },
};
