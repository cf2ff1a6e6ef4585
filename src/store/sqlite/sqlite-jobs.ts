import type { JobClaim, JobClaimResult, JobRun, JobRunResult, JobState, JobStore } from '../job-store.js';
import type { SqliteDatabase } from './sqlite-connection.js';

const SELECT_RUN = `
  SELECT id, job, due_at AS dueAt, trigger, state, attempt, holder, lease_until AS leaseUntil,
         started_at AS startedAt, finished_at AS finishedAt, error, records, detail
  FROM job_runs`;

interface StateRow {
  job: string;
  paused: number;
  lastDueAt: number | null;
}
const toState = (r: StateRow): JobState => ({ job: r.job, paused: r.paused === 1, lastDueAt: r.lastDueAt });

/** Job state, run history and run leases on SQLite; each method is one `BEGIN IMMEDIATE` transaction. */
export function createSqliteJobs(db: SqliteDatabase): JobStore {
  const insertJob = db.prepare(
    'INSERT INTO jobs (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const selectState = db.prepare(
    'SELECT name AS job, paused, last_due_at AS lastDueAt FROM jobs WHERE name = ?',
  );
  const selectStates = db.prepare(
    'SELECT name AS job, paused, last_due_at AS lastDueAt FROM jobs ORDER BY name',
  );
  // Resuming restarts the schedule from now: the runs due while paused are not "missed".
  const updatePaused = db.prepare(`
    UPDATE jobs SET paused = @paused, updated_at = @now,
      last_due_at = CASE WHEN @paused = 0 AND last_due_at IS NOT NULL THEN MAX(last_due_at, @now) ELSE last_due_at END
    WHERE name = @job`);
  const advanceDue = db.prepare(
    'UPDATE jobs SET last_due_at = MAX(COALESCE(last_due_at, ?), ?), updated_at = ? WHERE name = ?',
  );
  const runAt = db.prepare(`${SELECT_RUN} WHERE job = ? AND due_at = ?`);
  const runById = db.prepare(`${SELECT_RUN} WHERE id = ?`);
  const liveRun = db.prepare(
    `${SELECT_RUN} WHERE job = ? AND state = 'running' AND lease_until >= ? ORDER BY id LIMIT 1`,
  );
  const insertRun = db.prepare(`
    INSERT INTO job_runs (job, due_at, trigger, state, attempt, holder, lease_until, started_at, detail)
    VALUES (?, ?, ?, 'running', 1, ?, ?, ?, ?)`);
  const takeOver = db.prepare(`
    UPDATE job_runs SET holder = ?, lease_until = ?, attempt = attempt + 1, started_at = ?
    WHERE id = ? AND state = 'running' AND lease_until < ?`);
  const renew = db.prepare(
    `UPDATE job_runs SET lease_until = ? WHERE id = ? AND holder = ? AND state = 'running'`,
  );
  const finish = db.prepare(`
    UPDATE job_runs SET state = ?, finished_at = ?, error = ?, records = ?, lease_until = NULL
    WHERE id = ? AND holder = ? AND state = 'running'`);
  const release = db.prepare(
    `UPDATE job_runs SET lease_until = ? WHERE id = ? AND holder = ? AND state = 'running'`,
  );
  const insertSkipped = db.prepare(`
    INSERT INTO job_runs (job, due_at, trigger, state, attempt, started_at, finished_at, detail)
    VALUES (?, ?, 'schedule', 'skipped', 0, ?, ?, ?) ON CONFLICT (job, due_at) DO NOTHING`);
  const abandoned = db.prepare(
    `${SELECT_RUN} WHERE state = 'running' AND lease_until < ? AND job IN (SELECT value FROM json_each(?)) ORDER BY due_at`,
  );
  const history = db.prepare(`${SELECT_RUN} WHERE job = ? AND id < ? ORDER BY id DESC LIMIT ?`);
  const prune = db.prepare(`
    DELETE FROM job_runs WHERE state <> 'running' AND COALESCE(finished_at, started_at) < ?
      AND id NOT IN (SELECT id FROM job_runs r2 WHERE r2.job = job_runs.job ORDER BY r2.id DESC LIMIT ?)`);

  const advance = (job: string, dueAt: number, nowMs: number) => advanceDue.run(dueAt, dueAt, nowMs, job);

  const claim = db.transaction((c: JobClaim): JobClaimResult => {
    let dueAt = c.dueAt;
    let existing = runAt.get(c.job, dueAt) as JobRun | undefined;
    const abandoned = (r: JobRun) => r.state === 'running' && (r.leaseUntil ?? 0) < c.nowMs;
    // A manual run is "now": when that exact millisecond is taken, the next free one is as good
    // (unless the run there was abandoned: then this claim is its takeover).
    while (existing && c.trigger === 'manual' && !abandoned(existing))
      existing = runAt.get(c.job, ++dueAt) as JobRun | undefined;
    if (existing) {
      if (!abandoned(existing)) return { refused: 'done', by: existing };
      takeOver.run(c.holder, c.nowMs + c.leaseMs, c.nowMs, existing.id, c.nowMs);
      return { run: runById.get(existing.id) as JobRun };
    }
    if (c.exclusive) {
      const live = liveRun.get(c.job, c.nowMs) as JobRun | undefined;
      if (live) return { refused: 'overlap', by: live };
    }
    const id = Number(
      insertRun.run(c.job, dueAt, c.trigger, c.holder, c.nowMs + c.leaseMs, c.nowMs, c.detail ?? null)
        .lastInsertRowid,
    );
    if (c.trigger !== 'manual') advance(c.job, dueAt, c.nowMs);
    return { run: runById.get(id) as JobRun };
  });

  return {
    async ensureJobs(jobs, nowMs) {
      db.transaction(() => {
        for (const job of jobs) insertJob.run(job, nowMs, nowMs);
      }).immediate();
      return (selectStates.all() as StateRow[]).map(toState);
    },
    async loadJobState(job) {
      const row = selectState.get(job) as StateRow | undefined;
      return row && toState(row);
    },
    async setJobPaused(job, paused, nowMs) {
      updatePaused.run({ paused: paused ? 1 : 0, now: nowMs, job });
    },
    async claimJobRun(c) {
      return claim.immediate(c);
    },
    async renewJobLease(runId, holder, leaseUntil) {
      return renew.run(leaseUntil, runId, holder).changes > 0;
    },
    async finishJobRun(runId, holder, r: JobRunResult) {
      return finish.run(r.state, r.finishedAt, r.error ?? null, r.records ?? null, runId, holder).changes > 0;
    },
    async releaseJobLease(runId, holder, nowMs) {
      // An expiry in the past lets another process take the run over without waiting.
      release.run(nowMs - 1, runId, holder);
    },
    async findAbandonedJobRuns(nowMs, jobs) {
      return abandoned.all(nowMs, JSON.stringify(jobs)) as JobRun[];
    },
    async recordSkippedRun(job, dueAt, reason, nowMs) {
      db.transaction(() => {
        insertSkipped.run(job, dueAt, nowMs, nowMs, reason);
        advance(job, dueAt, nowMs);
      }).immediate();
    },
    async listJobRuns(job, { limit, beforeId }) {
      return history.all(job, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as JobRun[];
    },
    async pruneJobRuns(beforeMs, keepPerJob) {
      return prune.run(beforeMs, keepPerJob).changes;
    },
  };
}
