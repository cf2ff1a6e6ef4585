import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../app-store';
import { formatCount, formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import type { ModulePages } from '../module-pages';
import { type RollupStatus, rollupApi, type TopSnapshot } from './rollup-api';
import { SeriesChart } from './series-chart';

const RANGES = [
  { id: '24h', label: 'last 24 hours', ms: 86_400_000, bucket: 'hour' },
  { id: '7d', label: 'last 7 days', ms: 7 * 86_400_000, bucket: 'day' },
] as const;
const MAX_LINES = 5;

/** The measures a person charts: counts and sums as they are, quantiles at p95. */
function chartMeasures(r: RollupStatus): string[] {
  return r.measures.map((m) => (m.kind === 'quantiles' ? `${m.name}.p95` : m.name));
}

function TopTable({ name, top }: { name: string; top: NonNullable<RollupStatus['top']> }) {
  const { token } = useApp();
  const [version, setVersion] = useState<number | 'latest'>('latest');
  const versions = usePoll(() => rollupApi.versions(token, name), `rollup-versions:${name}`);
  const [snap, setSnap] = useState<TopSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const newest = versions.data?.[0]?.version;
  useEffect(() => {
    if (newest === undefined) return;
    rollupApi
      .snapshot(token, name, version)
      .then((s) => {
        setSnap(s);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [name, version, newest, token]);
  return (
    <section class="rollup-top" data-testid="rollup-top">
      <h3>
        Top {top.n} by {top.by}{' '}
        <select
          aria-label="snapshot version"
          value={String(version)}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            setVersion(v === 'latest' ? 'latest' : Number(v));
          }}
        >
          <option value="latest">latest</option>
          {(versions.data ?? []).map((v) => (
            <option key={v.version} value={String(v.version)}>
              v{v.version} · {formatTime(v.createdAt)}
            </option>
          ))}
        </select>
      </h3>
      {error ? <p class="error">{error}</p> : null}
      {newest === undefined ? <p>No snapshot yet: one is taken once records are counted.</p> : null}
      {snap ? (
        <table>
          <caption>
            version {snap.version}, taken {formatTime(snap.createdAt)} over {formatTime(snap.body.from)} –{' '}
            {formatTime(snap.body.to)}
          </caption>
          <thead>
            <tr>
              <th>#</th>
              <th>dimensions</th>
              <th>{snap.body.by}</th>
              <th>records</th>
            </tr>
          </thead>
          <tbody>
            {snap.body.entries.map((e) => (
              <tr key={e.rank} data-rank={e.rank}>
                <td>{e.rank}</td>
                <td class="mono">{Object.values(e.dims).join(' ')}</td>
                <td>{Number.isInteger(e.value) ? formatCount(e.value) : e.value.toFixed(2)}</td>
                <td>{formatCount(e.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function RollupView({ rollup }: { rollup: RollupStatus }) {
  const { token } = useApp();
  const [rangeId, setRangeId] = useState<(typeof RANGES)[number]['id']>('24h');
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[0];
  const bucket = range.bucket === 'hour' && rollup.bucket === 'day' ? 'day' : range.bucket;
  const series = usePoll(() => {
    const to = Date.now();
    return rollupApi.series(token, rollup.name, to - range.ms, to + 60_000, bucket);
  }, `rollup-series:${rollup.name}:${rangeId}`);
  const points = series.data ?? [];
  const totals = new Map<string, number>();
  for (const p of points) {
    const k = JSON.stringify(p.dims);
    totals.set(
      k,
      (totals.get(k) ?? 0) +
        (typeof p.values[rollup.measures[0]?.name ?? ''] === 'number'
          ? (p.values[rollup.measures[0]?.name ?? ''] as number)
          : 0),
    );
  }
  const groups = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_LINES)
    .map(([k]) => k);
  return (
    <section class="rollup" data-rollup={rollup.name}>
      <h2>{rollup.name}</h2>
      <p class="dataset-sub">
        {rollup.dataset} · per {rollup.bucket} ({rollup.timezone}) by{' '}
        {rollup.dimensions.join(', ') || 'nothing'} · {formatCount(rollup.applied)} records counted · lag{' '}
        {rollup.lagSeconds.toFixed(1)} s
        {rollup.pendingRecords > 0 ? ` (${formatCount(rollup.pendingRecords)} waiting)` : ''}
      </p>
      <label>
        Range{' '}
        <select
          value={rangeId}
          onChange={(e) => setRangeId((e.target as HTMLSelectElement).value as typeof rangeId)}
        >
          {RANGES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      {series.error ? <p class="error">{series.error.message}</p> : null}
      {points.length === 0 ? (
        <p>Nothing counted in this range.</p>
      ) : (
        chartMeasures(rollup).map((m) => <SeriesChart key={m} points={points} measure={m} groups={groups} />)
      )}
      {rollup.top ? <TopTable name={rollup.name} top={rollup.top} /> : null}
    </section>
  );
}

/** Every rollup: its series as charts (the top groups), its top-N snapshots by version. */
export function RollupsPage({ only }: { only?: string }) {
  const { token } = useApp();
  const list = usePoll(() => rollupApi.list(token), 'rollups');
  const rollups = (list.data ?? []).filter((r) => only === undefined || r.name === only);
  return (
    <main class="rollups-page">
      <h1>Rollups</h1>
      {list.error ? <p class="error">{list.error.message}</p> : null}
      {list.data && rollups.length === 0 ? <p>No rollups configured (see docs/rollups.md).</p> : null}
      {rollups.map((r) => (
        <RollupView key={r.name} rollup={r} />
      ))}
    </main>
  );
}

/** `''`: every rollup; `/<name>`: one. */
export const rollupsPages: ModulePages = {
  render(rest) {
    const name = /^\/([^/?&]+)/.exec(rest)?.[1];
    return <RollupsPage only={name ? decodeURIComponent(name) : undefined} key={name ?? ''} />;
  },
};
