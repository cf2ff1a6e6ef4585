import { table } from '../internal/text-table.js';
import type { PipelineSummary } from './stream-summary.js';

// The streams module's table for the terminal (`gapwarden streams`).

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const num = (n: number | null) => (n === null ? '-' : String(n));

export function formatPipelines(pipelines: readonly PipelineSummary[]): string {
  if (pipelines.length === 0) return 'no stream pipelines configured (see docs/streams.md)';
  const rows = pipelines.flatMap((p) =>
    p.topics.map((t, i) => [
      i === 0 ? p.name : '',
      i === 0 ? `${p.engine}:${p.client}` : '',
      `${t.topic}${t.global ? ' (global)' : ''}`,
      String(t.acked),
      String(t.deadLetters),
      num(t.lag),
      i === 0 ? `${p.throughput}/s` : '',
      i === 0 ? pct(p.availability.last) : '',
      i === 0 ? pct(p.availability.minLastHour) : '',
      i === 0 ? `${p.batchesLastHour} (${p.timedOutLastHour} timed out)` : '',
      i === 0 ? String(p.moduleFailuresLastHour) : '',
    ]),
  );
  const errors = pipelines
    .filter((p) => p.lastError)
    .map((p) => `${p.name}: last commit failed: ${p.lastError}`);
  return [
    table(
      [
        'PIPELINE',
        'CLIENT',
        'TOPIC',
        'ACKED',
        'DEAD',
        'LAG',
        'THROUGHPUT',
        'AVAIL',
        'MIN 1H',
        'BATCHES 1H',
        'FAILED 1H',
      ],
      rows,
    ),
    ...errors,
  ].join('\n');
}
