import type { CompiledAlertRule } from '../config/compiled-alerts.js';
import { formatDuration } from '../domain/duration.js';
import type { AlertFacts, CheckFacts, DatasetFacts, JobFacts, StreamBatchFacts } from './alert-facts.js';
import { alertFingerprint } from './fingerprint.js';

/** One rule's condition holding for one thing (a dataset, a source, a job) at one evaluation. */
export interface AlertCondition {
  fingerprint: string;
  rule: CompiledAlertRule;
  labels: Readonly<Record<string, string>>;
  value: number | null;
  summary: string;
  tried: string;
  /** Which occurrence this is: when it changes while the alert is open, the alert counts one more. */
  instance: string;
  /** When the condition began, as far as the facts tell (a `for` counts from here). */
  since: number;
}

/**
 * What an evaluation found: the conditions that hold, and the fingerprints
 * known to be clear. Conditions the engine sees as a whole at every
 * evaluation (gaps, freshness, sources, backfill) clear by being absent;
 * those learnt from events (collect failures, job runs) clear only when this
 * process saw the thing succeed, so a process that did not see a failure
 * never resolves the alert another raised.
 */
export interface RuleEvaluation {
  active: AlertCondition[];
  cleared: Set<string>;
}

/** Condition kinds learnt from events rather than seen whole at each evaluation. */
export const EVENT_KINDS: ReadonlySet<string> = new Set([
  'collectFailures',
  'job',
  'jobLate',
  'check',
  'streamBatches',
]);

const globRe = (patterns: readonly string[]) =>
  new RegExp(
    `^(?:${patterns.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`,
  );

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Evaluates every rule over the facts. Pure. */
export function evaluateRules(rules: readonly CompiledAlertRule[], facts: AlertFacts): RuleEvaluation {
  const out: RuleEvaluation = { active: [], cleared: new Set() };
  const now = facts.nowMs;
  for (const rule of rules) {
    const labelsFor = (own: Record<string, string>) => ({
      ...rule.labels,
      ...own,
      rule: rule.name,
      kind: rule.condition.kind,
    });
    const add = (own: Record<string, string>, c: Omit<AlertCondition, 'fingerprint' | 'rule' | 'labels'>) => {
      const labels = labelsFor(own);
      out.active.push({ ...c, fingerprint: alertFingerprint(rule.name, labels), rule, labels });
    };
    const clear = (own: Record<string, string>) =>
      out.cleared.add(alertFingerprint(rule.name, labelsFor(own)));
    const datasets = facts.datasets.filter((d) => rule.datasets === null || rule.datasets.includes(d.name));
    const c = rule.condition;
    switch (c.kind) {
      case 'gap':
        for (const d of datasets) {
          const gaps = d.gaps.filter(
            (g) =>
              g.count >= c.minPartitions &&
              (c.maxPartitions === null || g.count <= c.maxPartitions) &&
              (c.minAgeMs === 0 || (g.ageMs ?? 0) >= c.minAgeMs),
          );
          if (gaps.length === 0) continue;
          const largest = gaps.reduce((a, b) => (b.count > a.count ? b : a));
          const oldest = Math.max(...gaps.map((g) => g.ageMs ?? 0));
          const range = (g: (typeof gaps)[number]) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`);
          const more = gaps.length > 1 ? ` and ${plural(gaps.length - 1, 'more gap')}` : '';
          add(
            { dataset: d.name },
            {
              value: largest.count,
              summary: `${d.name}: ${plural(largest.count, 'partition')} missing (${range(largest)})${more}`,
              tried: describeBackfill(d),
              instance: String(gaps[0]!.from),
              since: now - oldest,
            },
          );
        }
        break;
      case 'freshness':
        for (const d of datasets) {
          if (d.lastInsertAt === null) continue;
          const stale = now - d.lastInsertAt;
          if (stale <= c.afterMs) continue;
          add(
            { dataset: d.name },
            {
              value: Math.round(stale / 1000),
              summary: `${d.name}: no new record for ${formatDuration(stale)} (alert after ${formatDuration(c.afterMs)})`,
              tried: describeSources(d),
              instance: String(d.lastInsertAt),
              since: d.lastInsertAt + c.afterMs,
            },
          );
        }
        break;
      case 'collectFailures':
        for (const d of datasets) {
          const { failuresInRow, since, lastError, observed } = d.collect;
          if (failuresInRow >= c.atLeast) {
            add(
              { dataset: d.name },
              {
                value: failuresInRow,
                summary: `${d.name}: ${plural(failuresInRow, 'collect run')} failed in a row${lastError ? ` (last: ${lastError})` : ''}`,
                tried: describeSources(d),
                instance: String(since ?? now),
                since: since ?? now,
              },
            );
          } else if (observed && failuresInRow === 0) clear({ dataset: d.name });
        }
        break;
      case 'sourceDown':
        for (const d of datasets) {
          for (const s of d.sources) {
            if (c.sources !== null && !c.sources.includes(s.name)) continue;
            if (s.state === 'closed') continue;
            const others = d.sources
              .filter((o) => o.name !== s.name && o.state === 'closed')
              .map((o) => o.name);
            add(
              { dataset: d.name, source: s.name },
              {
                value: s.consecutiveFailures,
                summary: `${d.name}: source ${s.name} is down (${plural(s.consecutiveFailures, 'failure')} in a row${s.lastError ? `: ${s.lastError}` : ''})`,
                tried:
                  others.length > 0
                    ? `failed over to ${others.join(', ')}; ${s.name} is tried again after its cooldown`
                    : `no other source answers; ${s.name} is tried again after its cooldown`,
                instance: String(s.lastFailureAt ?? ''),
                since: s.lastFailureAt ?? now,
              },
            );
          }
        }
        break;
      case 'backfillExhausted':
        for (const d of datasets) {
          if (d.backfill.failed === 0) continue;
          add(
            { dataset: d.name },
            {
              value: d.backfill.failed,
              summary: `${d.name}: ${plural(d.backfill.failed, 'partition')} could not be backfilled`,
              tried: `backfill asked the sources until it gave up (${describeSourceNames(d)})`,
              instance: 'exhausted',
              since: now,
            },
          );
        }
        break;
      case 'job':
      case 'jobLate': {
        const matches =
          c.jobs === null
            ? () => true
            : (
                (re: RegExp) => (j: string) =>
                  re.test(j)
              )(globRe(c.jobs));
        for (const j of facts.jobs) {
          if (!matches(j.job)) continue;
          const hit = c.kind === 'job' ? jobProblem(j, c.on) : jobLate(j, c.afterMs);
          if (hit) add({ job: j.job }, hit);
          else if (c.kind === 'job' ? j.observed && j.problem === null : j.late !== null)
            clear({ job: j.job });
        }
        break;
      }
      case 'check': {
        const matches =
          c.checks === null
            ? () => true
            : (
                (re: RegExp) => (n: string) =>
                  re.test(n)
              )(globRe(c.checks));
        for (const k of facts.checks ?? []) {
          if (!matches(k.check)) continue;
          if (k.status !== 'healthy' && c.on.includes(k.status)) add({ check: k.check }, checkProblem(k));
          else clear({ check: k.check });
        }
        break;
      }
      case 'streamBatches': {
        const re = c.pipelines === null ? null : globRe(c.pipelines);
        for (const b of facts.streams ?? []) {
          if (re && !re.test(b.pipeline)) continue;
          if (b.availability < c.below) add({ pipeline: b.pipeline }, batchProblem(b, c.below));
          else clear({ pipeline: b.pipeline });
        }
        break;
      }
    }
  }
  return out;
}

function batchProblem(b: StreamBatchFacts, below: number): Hit {
  const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
  return {
    value: Math.round(b.availability * 10_000) / 100,
    summary:
      `pipeline ${b.pipeline}: batch ${b.batchId} ${b.status === 'timed-out' ? 'timed out' : 'closed'} with ` +
      `${pct(b.availability)} of its keys (below ${pct(below)}), ${plural(b.missingKeys, 'key')} missing`,
    tried:
      'the batch was handed over with what arrived; see its report (gapwarden streams) for the missing keys and topics',
    instance: String(b.since),
    since: b.since,
  };
}

function checkProblem(k: CheckFacts): Hit {
  const what =
    k.status === 'error'
      ? `could not run: ${k.error ?? 'unknown error'}`
      : `is ${k.status}${k.level ? ` (level ${k.level})` : ''}: score ${k.score?.toFixed(2)}%, ${plural(k.findings, 'finding')}`;
  return {
    value: k.score ?? null,
    summary: `check ${k.check} ${what}`,
    tried:
      k.status === 'error'
        ? 'fix the check or its database; the next run retries'
        : 'see the findings of its last run',
    instance: String(k.since),
    since: k.since,
  };
}

type Hit = Omit<AlertCondition, 'fingerprint' | 'rule' | 'labels'>;

function jobProblem(j: JobFacts, on: readonly string[]): Hit | undefined {
  const p = j.problem;
  if (!p || !on.includes(p.state)) return undefined;
  const what =
    p.state === 'missed'
      ? `${plural(p.missed ?? 1, 'run')} missed while gapwarden was down`
      : p.state === 'timeout'
        ? 'timed out'
        : 'failed';
  return {
    value: p.missed,
    summary: `job ${j.job} ${what}${p.error ? `: ${p.error}` : ''}`,
    tried:
      p.state === 'missed'
        ? 'the catch-up policy of the job decides what runs now'
        : 'its retries are used up',
    instance: String(p.at),
    since: p.at,
  };
}

function jobLate(j: JobFacts, afterMs: number): Hit | undefined {
  if (!j.late || j.late.lateMs < afterMs) return undefined;
  return {
    value: Math.round(j.late.lateMs / 1000),
    summary: `job ${j.job} started ${formatDuration(j.late.lateMs)} late`,
    tried: '',
    instance: String(j.late.at),
    since: j.late.at,
  };
}

function describeBackfill(d: DatasetFacts): string {
  const { pending, running, failed } = d.backfill;
  if (pending + running + failed === 0) return 'backfill has nothing queued for it';
  const parts = [`${pending} queued`, `${running} being fetched`];
  if (failed > 0) parts.push(`${failed} given up after every attempt`);
  return `backfill: ${parts.join(', ')}`;
}

function describeSourceNames(d: DatasetFacts): string {
  return d.sources.map((s) => s.name).join(', ') || 'no sources';
}

function describeSources(d: DatasetFacts): string {
  if (d.sources.length === 0) return 'the dataset has no source to collect from';
  return `sources: ${d.sources
    .map(
      (s) =>
        `${s.name} ${s.state === 'closed' ? 'answering' : `down (${plural(s.consecutiveFailures, 'failure')})`}`,
    )
    .join(', ')}`;
}
