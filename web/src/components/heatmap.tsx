import { useState } from 'preact/hooks';
import type { BucketSize, Completeness, CompletenessBucket, PartitionLabel } from '../api/types';
import { useApp } from '../app-store';
import { formatCount, formatPercent, formatRange } from '../format';
import { usePoll } from '../use-poll';
import { LEGEND_GRADIENT, percentColor } from './heatmap-colors';

/** Cells asked for: the whole range fits in this many, the bucket growing as needed. */
export const HEATMAP_CELLS = 120;

/** What a bucket holds, singular and plural: "1 bucket (a day)", "48 buckets (months)". */
const BUCKET_WORDS: Record<Exclude<BucketSize, 'block'>, [string, string]> = {
  hour: ['an hour', 'hours'],
  day: ['a day', 'days'],
  week: ['a week', 'weeks'],
  month: ['a month', 'months'],
  year: ['a year', 'years'],
};

function bucketsOf(n: number, data: Pick<Completeness, 'bucket' | 'blockSize'>): string {
  if (data.bucket === 'block') {
    const size = data.blockSize ?? 1;
    const what = size === 1 ? 'one partition each' : `blocks of ${formatCount(size)} partitions`;
    return `${n === 1 ? 'bucket' : 'buckets'} (${what})`;
  }
  const [one, many] = BUCKET_WORDS[data.bucket];
  return n === 1 ? `bucket (${one})` : `buckets (${many})`;
}

function cellTitle(b: CompletenessBucket, zoomable: boolean): string {
  const lines = [
    b.label,
    `${formatCount(b.present)} of ${formatCount(b.expected)} present (${formatPercent(b.percent)})`,
  ];
  const missing = b.expected - b.present - b.knownMissing;
  if (missing > 0) lines.push(`${formatCount(missing)} missing`);
  if (b.knownMissing > 0) lines.push(`${formatCount(b.knownMissing)} known missing (the source has none)`);
  if (b.expected === 0) lines.push('nothing expected');
  if (zoomable) lines.push('click to zoom in');
  return lines.join('\n');
}

/** One sentence a person can read instead of the colours. */
function describe(data: Completeness): string {
  const expected = data.buckets.filter((b) => b.expected > 0);
  const incomplete = expected.filter((b) => b.percent < 100);
  const n = expected.length;
  if (n === 0) return 'Nothing expected in this range.';
  if (incomplete.length === 0) {
    return n === 1
      ? `The only ${bucketsOf(1, data)} is complete.`
      : `All ${formatCount(n)} ${bucketsOf(n, data)} are complete.`;
  }
  const named = incomplete
    .slice(0, 3)
    .map((b) => `${b.label} (${formatPercent(b.percent)})`)
    .join(', ');
  const more = incomplete.length > 3 ? ` and ${incomplete.length - 3} more` : '';
  return `${incomplete.length} of ${formatCount(n)} ${bucketsOf(n, data)} are incomplete: ${named}${more}.`;
}

interface Zoom {
  from: PartitionLabel;
  to: PartitionLabel;
  label: string;
}

/**
 * Completeness over time: the dataset's whole range in at most HEATMAP_CELLS cells (hours
 * to years, or blocks of partitions), red through amber to green by percent present. A
 * cell zooms into its own range; the trail above leads back out.
 */
export function Heatmap({ name, kind }: { name: string; kind: 'sequence' | 'calendar' | undefined }) {
  const { api, live } = useApp();
  const [bucket, setBucket] = useState<BucketSize | 'auto'>('auto');
  const [zooms, setZooms] = useState<Zoom[]>([]);
  const zoom = zooms[zooms.length - 1];
  const polled = usePoll(
    () =>
      api.completeness(name, {
        bucket,
        from: zoom?.from,
        to: zoom?.to,
        maxBuckets: HEATMAP_CELLS,
      }),
    `${name}|${bucket}|${zoom?.from ?? ''}|${zoom?.to ?? ''}`,
    { live, refreshOn: name },
  );
  const data = polled.data;
  const zoomInto = (b: CompletenessBucket) => {
    setBucket('auto');
    setZooms([...zooms, { from: b.start, to: b.end, label: b.label }]);
  };
  const coarsened = data && bucket !== 'auto' && data.bucket !== bucket;
  return (
    <section class="panel heatmap-panel" aria-labelledby="heatmap-title">
      <div class="panel-head">
        <h2 id="heatmap-title">Completeness over time</h2>
        {kind === 'calendar' ? (
          <label class="inline-field">
            Bucket{' '}
            <select
              value={bucket}
              onChange={(e) => setBucket((e.currentTarget as HTMLSelectElement).value as BucketSize | 'auto')}
            >
              <option value="auto">automatic</option>
              <option value="hour">hour</option>
              <option value="day">day</option>
              <option value="week">week</option>
              <option value="month">month</option>
              <option value="year">year</option>
            </select>
          </label>
        ) : null}
      </div>
      <nav class="zoom-trail" aria-label="Zoom" data-testid="zoom-trail">
        {zooms.length === 0 ? (
          <span class="zoom-current">Whole range</span>
        ) : (
          <button type="button" class="link-button" onClick={() => setZooms([])}>
            Whole range
          </button>
        )}
        {zooms.map((z, i) => (
          <span key={`${z.from}`}>
            <span class="muted"> › </span>
            {i === zooms.length - 1 ? (
              <span class="zoom-current">{z.label}</span>
            ) : (
              <button type="button" class="link-button" onClick={() => setZooms(zooms.slice(0, i + 1))}>
                {z.label}
              </button>
            )}
          </span>
        ))}
        {data && data.from !== null && data.to !== null ? (
          <span class="muted" data-testid="heatmap-scope">
            {' '}
            · {formatRange(data.from, data.to)} in {formatCount(data.buckets.length)}{' '}
            {bucketsOf(data.buckets.length, data)}
            {coarsened
              ? ` (not ${bucket}s: more than ${HEATMAP_CELLS} cells, or finer than a partition)`
              : ''}
          </span>
        ) : null}
      </nav>
      {!data ? (
        <p class="muted">{polled.error ? `Cannot load completeness: ${polled.error.message}` : 'Loading…'}</p>
      ) : data.buckets.length === 0 ? (
        <p class="muted">
          {data.range
            ? 'No partitions of the dataset in this range.'
            : 'No partitions expected yet: the heatmap fills once the first record arrives.'}
        </p>
      ) : (
        <>
          <div class="heatmap" data-testid="heatmap" data-bucket={data.bucket}>
            {data.buckets.map((b) => {
              const zoomable = b.expected > 0 && b.start !== b.end;
              const cls = `cell${b.expected === 0 ? ' cell-empty' : ''}${b.knownMissing > 0 ? ' cell-known' : ''}`;
              const style = b.expected === 0 ? undefined : { background: percentColor(b.percent) };
              const title = cellTitle(b, zoomable);
              return zoomable ? (
                <button
                  type="button"
                  key={String(b.start)}
                  class={`${cls} cell-zoom`}
                  style={style}
                  title={title}
                  aria-label={title.replaceAll('\n', ', ')}
                  data-percent={b.percent}
                  data-label={b.label}
                  onClick={() => zoomInto(b)}
                />
              ) : (
                <div
                  key={String(b.start)}
                  class={cls}
                  style={style}
                  title={title}
                  data-percent={b.percent}
                  data-label={b.label}
                />
              );
            })}
          </div>
          <div class="heatmap-axis">
            <span>{data.buckets[0]?.label}</span>
            <span>{data.buckets[data.buckets.length - 1]?.label}</span>
          </div>
          <p class="heatmap-summary" data-testid="heatmap-summary">
            {describe(data)}
            {data.buckets.some((b) => b.expected > 0 && b.start !== b.end) ? (
              <span class="muted"> Click a cell to zoom in.</span>
            ) : null}
          </p>
        </>
      )}
      <div class="legend" aria-hidden="true">
        <span>0 %</span>
        <span class="legend-bar" style={{ background: LEGEND_GRADIENT }} />
        <span>100 % present</span>
        <span class="cell cell-empty legend-swatch" /> <span>nothing expected</span>
      </div>
    </section>
  );
}
