import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBus, GapwardenEvents } from '../internal/events.js';
import { CHECK_RUN_STATUSES } from './check-run.js';
import type { Checks } from './checks-runtime.js';
import { CHECK_LEVELS } from './score/score-scale.js';

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300];

/**
 * Check metrics: the last run's score, status, level and findings per check
 * (from the store at start, then from `check:ran` events), runs by status and
 * their duration. Returns the unsubscribe.
 */
export function registerCheckMetrics(registry: Registry, events: EventBus, checks: Checks): () => void {
  const registers = [registry];
  const score = new Gauge({
    name: 'gapwarden_check_score_ratio',
    help: "The last run's score of each check, 0 to 1 (the completion rate of a consistency check); absent after an error run.",
    labelNames: ['check'] as const,
    registers,
  });
  const status = new Gauge({
    name: 'gapwarden_check_status',
    help: "1 for the last run's status of each check (healthy, degraded, unhealthy, error), 0 for the others.",
    labelNames: ['check', 'status'] as const,
    registers,
  });
  const level = new Gauge({
    name: 'gapwarden_check_level_status',
    help: "1 for the last run's level of each check (low, medium, high, critical), 0 for the others.",
    labelNames: ['check', 'level'] as const,
    registers,
  });
  const findings = new Gauge({
    name: 'gapwarden_check_findings',
    help: "Findings of each check's last run (missing children, bad rows or buckets, open gaps).",
    labelNames: ['check'] as const,
    registers,
  });
  const runs = new Counter({
    name: 'gapwarden_check_runs_total',
    help: 'Check runs in this process by status.',
    labelNames: ['check', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'gapwarden_check_run_duration_seconds',
    help: 'Duration of one check run (its queries), error runs included.',
    labelNames: ['check'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  for (const c of checks.list())
    for (const s of CHECK_RUN_STATUSES) runs.inc({ check: c.name, status: s }, 0);
  const show = (
    e: Pick<GapwardenEvents['check:ran'], 'check' | 'status' | 'level' | 'score' | 'findings'>,
  ) => {
    for (const s of CHECK_RUN_STATUSES) status.set({ check: e.check, status: s }, s === e.status ? 1 : 0);
    for (const l of CHECK_LEVELS) level.set({ check: e.check, level: l }, l === e.level ? 1 : 0);
    if (e.score === undefined) score.remove({ check: e.check });
    else score.set({ check: e.check }, e.score / 100);
    findings.set({ check: e.check }, e.findings);
  };
  let live = false;
  const off = events.on('check:ran', (e) => {
    live = true;
    show(e);
    runs.inc({ check: e.check, status: e.status });
    duration.observe({ check: e.check }, e.ms / 1000);
  });
  // What the store already knows (runs of other processes, before this start); a live run wins.
  checks.store
    .lastRuns()
    .then((last) => {
      if (live) return;
      for (const r of last) if (checks.list().some((c) => c.name === r.check)) show(r);
    })
    .catch(() => {});
  return off;
}
