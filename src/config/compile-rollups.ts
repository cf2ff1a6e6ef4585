import { parseDuration } from '../domain/duration.js';
import { DEFAULT_HLL_PRECISION } from '../domain/sketches/hyperloglog.js';
import { DEFAULT_TDIGEST_COMPRESSION } from '../domain/sketches/t-digest.js';
import { assertTimeZone } from '../domain/time-zone.js';
import type { ConfigIssue } from '../internal/errors.js';
import type { CompiledDataset } from './compiled-config.js';
import type { CompiledMeasure, CompiledRank, CompiledRollup } from './compiled-rollups.js';
import type { RollupsConfig } from './rollups-schema.js';

const ms = (v: string | number | undefined, fallback: number) =>
  v === undefined ? fallback : (parseDuration(v) ?? fallback);

/**
 * Compiles `rollups`: defaults applied, the dataset, the time zone, the time
 * source and the top-N measure checked. Problems are pushed to `issues` with
 * their field path.
 */
export function compileRollups(
  config: RollupsConfig | undefined,
  datasets: readonly CompiledDataset[],
  issues: ConfigIssue[],
): CompiledRollup[] {
  const out: CompiledRollup[] = [];
  for (const [name, r] of Object.entries(config ?? {})) {
    const at = `rollups.${name}`;
    const dataset = datasets.find((d) => d.name === r.dataset);
    if (!dataset) {
      issues.push({
        path: `${at}.dataset`,
        expected: `one of the datasets (${datasets.map((d) => d.name).join(', ') || 'none defined'})`,
        found: JSON.stringify(r.dataset),
        message: 'the rollup names a dataset that is not defined',
      });
      continue;
    }
    const timezone = r.timezone ?? 'UTC';
    try {
      assertTimeZone(timezone);
    } catch {
      issues.push({
        path: `${at}.timezone`,
        expected: 'an IANA time zone such as "UTC" or "Asia/Shanghai"',
        found: JSON.stringify(timezone),
        message: 'unknown time zone',
      });
      continue;
    }
    if (r.timeField === undefined && dataset.partitioning.kind !== 'calendar') {
      issues.push({
        path: `${at}.timeField`,
        expected: 'the payload field holding the event time',
        found: 'nothing',
        message: `dataset "${dataset.name}" is partitioned by a sequence, so its partitions carry no time: name the time field`,
      });
      continue;
    }
    const measures: CompiledMeasure[] = Object.entries(r.measures).map(([mName, m]) => {
      switch (m.kind) {
        case 'count':
          return { name: mName, kind: 'count' };
        case 'unique':
          return {
            name: mName,
            kind: 'unique',
            field: m.field,
            precision: m.precision ?? DEFAULT_HLL_PRECISION,
          };
        case 'quantiles':
          return {
            name: mName,
            kind: 'quantiles',
            field: m.field,
            compression: m.compression ?? DEFAULT_TDIGEST_COMPRESSION,
          };
        default:
          return { name: mName, kind: m.kind, field: m.field };
      }
    });
    if (measures.length === 0) {
      issues.push({
        path: `${at}.measures`,
        expected: 'at least one measure, e.g. { requests: { kind: "count" } }',
        found: '{}',
        message: 'a rollup without measures counts nothing',
      });
      continue;
    }
    let top: CompiledRollup['top'];
    if (r.top) {
      const by = parseRank(r.top.by, measures);
      if (typeof by === 'string') {
        issues.push({
          path: `${at}.top.by`,
          expected: by,
          found: JSON.stringify(r.top.by),
          message: 'unknown measure',
        });
        continue;
      }
      top = {
        by,
        n: r.top.n ?? 10,
        windowMs: ms(r.top.window, 86_400_000),
        everyIngests: r.top.everyIngests ?? 10,
        everyMs: ms(r.top.every, 60_000),
        keep: r.top.keep ?? 5,
      };
    }
    out.push({
      name,
      dataset: dataset.name,
      dimensions: r.dimensions ?? [],
      bucket: r.bucket,
      timezone,
      timeField: r.timeField,
      measures,
      top,
    });
  }
  return out;
}

/**
 * Reads a rank such as `requests` or `latency.p95` / `latency.p99.9` against
 * the measures; returns what was expected when it does not name one.
 */
export function parseRank(text: string, measures: readonly CompiledMeasure[]): CompiledRank | string {
  const names = measures.map((m) => (m.kind === 'quantiles' ? `${m.name}.p95` : m.name));
  const expected = `a measure (${names.join(', ')}); a quantiles measure with its quantile, e.g. "latency.p95"`;
  const match = /^(.+?)(?:\.p(\d+(?:\.\d+)?))?$/.exec(text);
  const measure = measures.find((m) => m.name === match?.[1]);
  if (!match || !measure) return expected;
  if (measure.kind === 'quantiles') {
    const q = match[2] === undefined ? Number.NaN : Number(match[2]) / 100;
    if (!(q >= 0 && q <= 1)) return expected;
    return { measure: measure.name, quantile: q, label: text };
  }
  if (match[2] !== undefined) return expected;
  return { measure: measure.name, quantile: undefined, label: text };
}
