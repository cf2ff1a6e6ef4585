import { useState } from 'preact/hooks';
import type { BucketSize, CompletenessBucket } from '../api/types';
import { useApp } from '../app-store';
import { formatCount, formatPercent } from '../format';
import { usePoll } from '../use-poll';
import { LEGEND_GRADIENT, percentColor } from './heatmap-colors';

/** What a bucket holds, singular and plural: "1 bucket (a day)", "11 buckets (blocks of partitions)". */
const BUCKET_WORDS: Record<BucketSize, [string, string]> = {
  hour: ['an hour', 'hours'],
  day: ['a day', 'days'],
  block: ['a block of partitions', 'blocks of partitions'],
};

function bucketsOf(n: number, bucket: BucketSize): string {
  const [one, many] = BUCKET_WORDS[bucket];
  return n === 1 ? `bucket (${one})` : `buckets (${many})`;
}

function cellTitle(b: CompletenessBucket): string {
  const lines = [
    b.label,
    `${formatCount(b.present)} of ${formatCount(b.expected)} present (${formatPercent(b.percent)})`,
  ];
  const missing = b.expected - b.present - b.knownMissing;
  if (missing > 0) lines.push(`${formatCount(missing)} missing`);
  if (b.knownMissing > 0) lines.push(`${formatCount(b.knownMissing)} known missing (the source has none)`);
  return lines.join('\n');
}

/** One sentence a person can read instead of the colours. */
function describe(buckets: CompletenessBucket[], bucket: BucketSize): string {
  const expected = buckets.filter((b) => b.expected > 0);
  const incomplete = expected.filter((b) => b.percent < 100);
  const n = expected.length;
  if (n === 0) return 'Nothing expected yet.';
  if (incomplete.length === 0) {
    return n === 1
      ? `The only ${bucketsOf(1, bucket)} is complete.`
      : `All ${n} ${bucketsOf(n, bucket)} are complete.`;
  }
  const named = incomplete
    .slice(0, 3)
    .map((b) => `${b.label} (${formatPercent(b.percent)})`)
    .join(', ');
  const more = incomplete.length > 3 ? ` and ${incomplete.length - 3} more` : '';
  return `${incomplete.length} of ${n} ${bucketsOf(n, bucket)} are incomplete: ${named}${more}.`;
}

/** Completeness over time: a cell per bucket, red through amber to green by percent present. */
export function Heatmap({ name }: { name: string }) {
  const { api, live } = useApp();
  const [bucket, setBucket] = useState<BucketSize | 'auto'>('auto');
  const polled = usePoll(() => api.completeness(name, bucket), `${name}|${bucket}`, {
    live,
    refreshOn: name,
  });
  const data = polled.data;
  return (
    <section class="panel heatmap-panel" aria-labelledby="heatmap-title">
      <div class="panel-head">
        <h2 id="heatmap-title">Completeness over time</h2>
        <label class="inline-field">
          Bucket{' '}
          <select
            value={bucket}
            onChange={(e) => setBucket((e.currentTarget as HTMLSelectElement).value as BucketSize | 'auto')}
          >
            <option value="auto">automatic</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
            <option value="block">block of partitions</option>
          </select>
        </label>
      </div>
      {!data ? (
        <p class="muted">{polled.error ? `Cannot load completeness: ${polled.error.message}` : 'Loading…'}</p>
      ) : data.buckets.length === 0 ? (
        <p class="muted">No partitions expected yet: the heatmap fills once the first record arrives.</p>
      ) : (
        <>
          <div class="heatmap" data-testid="heatmap" data-bucket={data.bucket}>
            {data.buckets.map((b) => (
              <div
                key={String(b.start)}
                class={`cell${b.expected === 0 ? ' cell-empty' : ''}${b.knownMissing > 0 ? ' cell-known' : ''}`}
                style={b.expected === 0 ? undefined : { background: percentColor(b.percent) }}
                title={cellTitle(b)}
                data-percent={b.percent}
                data-label={b.label}
              />
            ))}
          </div>
          <div class="heatmap-axis">
            <span>{data.buckets[0]?.label}</span>
            <span>{data.buckets[data.buckets.length - 1]?.label}</span>
          </div>
          <p class="heatmap-summary" data-testid="heatmap-summary">
            {describe(data.buckets, data.bucket)}
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
