import type { CompiledCheck, CompiledCheckSide } from '../config/compiled-checks.js';
import type { CheckRun } from './check-run.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A run as the API and `--json` show it: times in ISO 8601 UTC. */
export function summarizeCheckRun(run: CheckRun) {
  return {
    id: run.id,
    check: run.check,
    kind: run.kind,
    profile: run.profile,
    trigger: run.trigger,
    status: run.status,
    level: run.level ?? null,
    score: run.score ?? null,
    from: iso(run.fromMs),
    to: iso(run.toMs),
    startedAt: iso(run.startedAt),
    durationMs: run.durationMs,
    total: run.total,
    findings: run.findings,
    delay: run.delay
      ? {
          p50Ms: run.delay.p50 ?? null,
          p95Ms: run.delay.p95 ?? null,
          maxMs: run.delay.max ?? null,
          late: run.delay.late,
        }
      : null,
    sample: run.sample,
    day: run.day,
    days: run.days,
    error: run.error ?? null,
  };
}

export type CheckRunSummary = ReturnType<typeof summarizeCheckRun>;

/** A check as the API and `checks --json` show it, with its last run. */
export function summarizeCheck(check: CompiledCheck, last: CheckRun | undefined) {
  return {
    name: check.name,
    kind: check.kind,
    description: check.description ?? null,
    target: checkTarget(check),
    timezone: check.timezone,
    thresholds: check.scale,
    profiles: check.profiles.map((p) => ({
      name: p.name,
      windowMs: p.windowMs,
      schedule: p.scheduleText ?? null,
    })),
    repair: check.repair ? check.repair.action.kind : null,
    lastRun: last ? summarizeCheckRun(last) : null,
  };
}

/** What a check reads: its connection, or its dataset (a consistency check of two datasets: `parents → children`). */
function checkTarget(check: CompiledCheck): { connection: string } | { dataset: string } {
  switch (check.kind) {
    case 'freshness':
    case 'gaps':
      return { dataset: check.dataset };
    case 'sql':
    case 'volume':
      return { connection: check.connection };
    case 'consistency': {
      if (check.connection !== undefined) return { connection: check.connection };
      // Without a connection both sides are datasets.
      const name = (side: CompiledCheckSide) => (side.kind === 'dataset' ? side.dataset : side.table);
      return { dataset: `${name(check.parents)} → ${name(check.children)}` };
    }
  }
}
