import { useState } from 'preact/hooks';
import type { Activity, ActivityBucket } from '../api/types';
import { useApp } from '../app-store';
import { formatCount, formatPlural, formatTime } from '../format';
import { usePoll } from '../use-poll';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The ranges a person picks from; 61 buckets let the last hour be whole minutes however it is aligned. */
const RANGES = [
  { id: '1h', label: 'last hour', ms: HOUR },
  { id: '24h', label: 'last 24 hours', ms: DAY },
  { id: '7d', label: 'last 7 days', ms: 7 * DAY },
  { id: '30d', label: 'last 30 days', ms: 30 * DAY },
] as const;
type RangeId = (typeof RANGES)[number]['id'];
const MAX_BARS = 61;

/** Bucket edges fall on whole minutes: "14:05" rather than "14:05:00". */
const formatEdge = (ms: number, nowMs: number): string =>
  formatTime(ms, nowMs).replace(/(\d\d:\d\d):00$/, '$1');

/** "minute", "30 minutes", "hour", "3 hours", "day", "7 days". */
function bucketWords(ms: number): string {
  const [n, unit] =
    ms % DAY === 0 ? [ms / DAY, 'day'] : ms % HOUR === 0 ? [ms / HOUR, 'hour'] : [ms / 60_000, 'minute'];
  return n === 1 ? unit : `${formatCount(n)} ${unit}s`;
}

/** 1, 2, 5, 10, 20, 50, … at or above `n`: the top of the scale. */
function niceCeil(n: number): number {
  if (n <= 1) return 1;
  const scale = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * scale >= n) return m * scale;
  return 10 * scale;
}

function barTitle(b: ActivityBucket, bucketMs: number, nowMs: number): string {
  const when = `${formatEdge(b.start, nowMs)} – ${formatEdge(b.start + bucketMs, nowMs)}`;
  if (b.inserted === 0) return `${when}: nothing stored`;
  const fills = b.filled > 0 ? `, ${formatCount(b.filled)} of them filled by backfill` : '';
  return `${when}: ${formatPlural(b.inserted, 'record')} stored${fills}`;
}

/** One sentence a person can read instead of the bars. */
function describe(data: Activity, label: string): string {
  const { inserted, filled } = data.totals;
  if (inserted === 0) return `Nothing stored in the ${label}.`;
  const fills =
    filled === 0 ? 'none by backfill' : `${formatCount(filled)} of them filled by backfill (gaps repaired)`;
  return `${formatPlural(inserted, 'record')} stored in the ${label}, ${fills}.`;
}

/** The bars: one column per bucket, records collected or pushed below, partitions filled by backfill on top. */
function Bars({ data, nowMs }: { data: Activity; nowMs: number }) {
  const top = niceCeil(Math.max(1, ...data.buckets.map((b) => b.inserted)));
  const n = data.buckets.length;
  const y = (count: number) => 100 - (count / top) * 100;
  return (
    <div class="activity-plot">
      <div class="activity-scale" aria-hidden="true">
        <span>{formatCount(top)}</span>
        <span>{formatCount(top / 2)}</span>
        <span>0</span>
      </div>
      {/* One unit per bucket; stretched to the panel's width, so rectangles only (no text inside). */}
      <svg
        class="activity-svg"
        viewBox={`0 0 ${n} 100`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`records stored per ${bucketWords(data.bucketMs)}`}
        data-testid="activity-chart"
      >
        <line class="activity-grid" x1="0" x2={n} y1="50" y2="50" vector-effect="non-scaling-stroke" />
        <line class="activity-grid" x1="0" x2={n} y1="0" y2="0" vector-effect="non-scaling-stroke" />
        {data.buckets.map((b, i) => {
          const collected = b.inserted - b.filled;
          return (
            <g
              key={b.start}
              class="activity-bucket"
              data-start={b.start}
              data-inserted={b.inserted}
              data-filled={b.filled}
            >
              <title>{barTitle(b, data.bucketMs, nowMs)}</title>
              <rect class="activity-hover" x={i} y="0" width="1" height="100" />
              {collected > 0 ? (
                <rect
                  class="bar-collected"
                  x={i + 0.1}
                  y={y(collected)}
                  width="0.8"
                  height={100 - y(collected)}
                />
              ) : null}
              {b.filled > 0 ? (
                <rect
                  class="bar-filled"
                  x={i + 0.1}
                  y={y(b.inserted)}
                  width="0.8"
                  height={y(collected) - y(b.inserted)}
                />
              ) : null}
            </g>
          );
        })}
        <line class="activity-base" x1="0" x2={n} y1="100" y2="100" vector-effect="non-scaling-stroke" />
      </svg>
    </div>
  );
}

/**
 * Ingest and fill activity over time: records stored per time bucket, and how many of
 * them backfill stored, as stacked bars for the last hour, day, week or month.
 */
export function ActivityChart({ name }: { name: string }) {
  const { api, live } = useApp();
  const [rangeId, setRangeId] = useState<RangeId>('1h');
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[0];
  const polled = usePoll(
    () => api.activity(name, { from: Date.now() - range.ms, maxBuckets: MAX_BARS }),
    `${name}|${rangeId}`,
    { live, refreshOn: name },
  );
  const data = polled.data;
  const nowMs = Date.now();
  return (
    <section class="panel activity-panel" aria-labelledby="activity-title">
      <div class="panel-head">
        <h2 id="activity-title">Records stored over time</h2>
        <label class="inline-field">
          Range{' '}
          <select
            value={rangeId}
            onChange={(e) => setRangeId((e.currentTarget as HTMLSelectElement).value as RangeId)}
          >
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!data ? (
        <p class="muted">{polled.error ? `Cannot load activity: ${polled.error.message}` : 'Loading…'}</p>
      ) : (
        <>
          <Bars data={data} nowMs={nowMs} />
          <div class="activity-axis">
            <span>{formatEdge(data.from, nowMs)}</span>
            <span class="muted">one bar per {bucketWords(data.bucketMs)}</span>
            <span>now</span>
          </div>
          <p class="activity-summary" data-testid="activity-summary">
            {describe(data, range.label)}
          </p>
        </>
      )}
      <div class="legend" aria-hidden="true">
        <span class="legend-swatch swatch-collected" /> <span>collected or pushed</span>
        <span class="legend-swatch swatch-filled" /> <span>filled by backfill</span>
      </div>
    </section>
  );
}
