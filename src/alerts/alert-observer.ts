import type { EventBus } from '../internal/events.js';
import type { CheckFacts, DatasetFacts, JobFacts, StreamBatchFacts } from './alert-facts.js';

/** What this process learns from the event bus that the store does not keep: collect streaks, job outcomes. */
export interface AlertObserver {
  collect(dataset: string): DatasetFacts['collect'];
  jobs(): JobFacts[];
  checks(): CheckFacts[];
  streams(): StreamBatchFacts[];
  stop(): void;
}

const COLLECT_JOB = /^collect:(.+)$/;

/**
 * Listens to the events rule conditions are learnt from, and calls
 * `onChange(urgent)` when something may fire or clear an alert: `urgent` for
 * what may fire one (a gap opened, a source failing, a failure), so a P0 is
 * evaluated at once; the rest (a gap closed, a source back) may wait a moment.
 */
export function createAlertObserver(
  events: EventBus,
  now: () => number,
  onChange: (urgent: boolean) => void,
): AlertObserver {
  const streaks = new Map<string, DatasetFacts['collect']>();
  const jobs = new Map<string, JobFacts>();
  const checks = new Map<string, CheckFacts>();
  const batches = new Map<string, StreamBatchFacts>();
  const job = (id: string): JobFacts => {
    let j = jobs.get(id);
    if (!j) {
      j = { job: id, problem: null, late: null, observed: false };
      jobs.set(id, j);
    }
    return j;
  };
  const offs = [
    events.on('collect:failed', (e) => {
      const s = streaks.get(e.dataset);
      streaks.set(e.dataset, {
        failuresInRow: (s?.failuresInRow ?? 0) + 1,
        since: s && s.failuresInRow > 0 ? s.since : now(),
        lastError: e.error,
        observed: true,
      });
      onChange(true);
    }),
    events.on('job:started', (e) => {
      job(e.job).late = { lateMs: e.lateMs, at: now() };
    }),
    events.on('job:finished', (e) => {
      if (e.state === 'cancelled') return;
      const j = job(e.job);
      j.observed = true;
      if (e.state === 'ok') {
        j.problem = null;
        const ds = COLLECT_JOB.exec(e.job)?.[1];
        if (ds) streaks.set(ds, { failuresInRow: 0, since: null, lastError: null, observed: true });
        onChange(false);
        return;
      }
      j.problem = { state: e.state, at: now(), error: null, missed: null };
      onChange(true);
    }),
    events.on('job:missed', (e) => {
      const j = job(e.job);
      j.observed = true;
      j.problem = { state: 'missed', at: now(), error: null, missed: e.missed };
      onChange(true);
    }),
    events.on('check:ran', (e) => {
      const before = checks.get(e.check);
      checks.set(e.check, {
        check: e.check,
        status: e.status,
        level: e.level,
        score: e.score,
        findings: e.findings,
        error: e.error,
        since: before && before.status === e.status ? before.since : e.at,
      });
      onChange(e.status !== 'healthy');
    }),
    events.on('stream:batch', (e) => {
      const before = batches.get(e.pipeline);
      const short = e.availabilityRatio < 1;
      batches.set(e.pipeline, {
        pipeline: e.pipeline,
        batchId: e.batchId,
        status: e.status,
        availability: e.availabilityRatio,
        missingKeys: e.missingKeys,
        since: before && before.availability < 1 === short ? before.since : now(),
      });
      onChange(short);
    }),
    events.on('gap:opened', () => onChange(true)),
    events.on('backfill:failed', () => onChange(true)),
    events.on('source:state', (e) => onChange(e.state === 'open')),
    events.on('backfill:run-finished', () => onChange(false)),
    events.on('gap:closed', () => onChange(false)),
    events.on('records:ingested', (e) => {
      if (e.inserted > 0) onChange(false);
    }),
  ];
  return {
    collect: (dataset) =>
      streaks.get(dataset) ?? { failuresInRow: 0, since: null, lastError: null, observed: false },
    jobs: () => [...jobs.values()].map((j) => ({ ...j })),
    checks: () => [...checks.values()].map((c) => ({ ...c })),
    streams: () => [...batches.values()].map((b) => ({ ...b })),
    stop() {
      for (const off of offs) off();
    },
  };
}
