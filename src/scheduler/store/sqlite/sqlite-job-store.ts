import type { SqliteDatabase, SqliteHandle } from '../../../store/sqlite/sqlite-connection.js';
import { insertedRun, leaseUntilOf } from '../decide-claims.js';
import type { JobClaim, JobClaimResult, JobRun, JobRunResult, JobState, JobStore } from '../job-store.js';

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

/** Every statement of the job store, prepared once the tables exist. */
function prepareJobStatements(db: SqliteDatabase) {
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
  // Batch claims: the pause state and the running runs read once per batch.
  const pausedJobs = db.prepare('SELECT name FROM jobs WHERE paused = 1').pluck();
  const runningOf = db.prepare(
    `${SELECT_RUN} WHERE state = 'running' AND job IN (SELECT value FROM json_each(?))`,
  );
  const insertRunOnce = db.prepare(`
    INSERT INTO job_runs (job, due_at, trigger, state, attempt, holder, lease_until, started_at, detail)
    VALUES (?, ?, ?, 'running', 1, ?, ?, ?, ?) ON CONFLICT (job, due_at) DO NOTHING RETURNING id`);
  const renewMany = db
    .prepare(`UPDATE job_runs SET lease_until = ? WHERE holder = ? AND state = 'running'
              AND id IN (SELECT value FROM json_each(?)) RETURNING id`)
    .pluck();
  const history = db.prepare(`${SELECT_RUN} WHERE job = ? AND id < ? ORDER BY id DESC LIMIT ?`);
  const prune = db.prepare(`
    DELETE FROM job_runs WHERE state <> 'running' AND COALESCE(finished_at, started_at) < ?
      AND id NOT IN (SELECT id FROM job_runs r2 WHERE r2.job = job_runs.job ORDER BY r2.id DESC LIMIT ?)`);
  return {
    insertJob,
    selectState,
    selectStates,
    updatePaused,
    advanceDue,
    runAt,
    runById,
    liveRun,
    insertRun,
    takeOver,
    renew,
    finish,
    release,
    insertSkipped,
    abandoned,
    history,
    prune,
    pausedJobs,
    runningOf,
    insertRunOnce,
    renewMany,
  };
}

/**
 * Job state, run history and run leases on SQLite: each method one
 * `BEGIN IMMEDIATE` transaction through the store's `write` (reads through
 * `read`), so the store's file checks and error translation cover them.
 */
export function createSqliteJobStore(handle: SqliteHandle): JobStore {
  const { db, write, read } = handle;
  let prepared: ReturnType<typeof prepareJobStatements> | undefined;
  // On first use: the part is built before migrate() may have created its tables.
  const st = () => {
    prepared ??= prepareJobStatements(db);
    return prepared;
  };

  const advance = (job: string, dueAt: number, nowMs: number) =>
    st().advanceDue.run(dueAt, dueAt, nowMs, job);

  const claim = (c: JobClaim): JobClaimResult => {
    const { runAt, runById, liveRun, insertRun, takeOver } = st();
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
  };

  /**
   * A batch of claims, inside the caller's transaction: the pause state and the
   * running runs of the batch's jobs are read once; then each claim is one
   * INSERT .. ON CONFLICT DO NOTHING (a point lookup only when it conflicts or
   * overlaps) and one update of the job's `lastDueAt`. The same rules as a
   * single claim, in order (see `decideClaims`, which the PostgreSQL adapter uses).
   */
  const claimBatch = (claims: readonly JobClaim[]): JobClaimResult[] => {
    const s = st();
    const jobs = [...new Set(claims.map((c) => c.job))];
    const paused = new Set(s.pausedJobs.all() as string[]);
    const live = new Map<string, JobRun>();
    for (const r of s.runningOf.all(JSON.stringify(jobs)) as JobRun[]) {
      const held = live.get(r.job);
      if (!held || (r.leaseUntil ?? 0) > (held.leaseUntil ?? 0)) live.set(r.job, r);
    }
    const claimed = new Set<string>();
    const abandoned = (r: JobRun, c: JobClaim) => r.state === 'running' && (r.leaseUntil ?? 0) < c.nowMs;
    const takeOver = (r: JobRun, c: JobClaim): JobClaimResult => {
      s.takeOver.run(c.holder, c.nowMs + c.leaseMs, c.nowMs, r.id, c.nowMs);
      claimed.add(c.job);
      return { run: s.runById.get(r.id) as JobRun };
    };
    return claims.map((c): JobClaimResult => {
      if (c.checkPaused && paused.has(c.job)) return { refused: 'paused' };
      if (c.exclusive) {
        const holding = live.get(c.job);
        if (claimed.has(c.job) || (holding && (holding.leaseUntil ?? 0) >= c.nowMs)) {
          const stored = s.runAt.get(c.job, c.dueAt) as JobRun | undefined;
          if (stored) return abandoned(stored, c) ? takeOver(stored, c) : { refused: 'done', by: stored };
          return { refused: 'overlap', ...(holding ? { by: holding } : {}) };
        }
      }
      const row = s.insertRunOnce.get(
        c.job,
        c.dueAt,
        c.trigger,
        c.holder,
        leaseUntilOf(c),
        c.startsAt ?? c.nowMs,
        c.detail ?? null,
      ) as { id: number } | undefined;
      if (!row) {
        const stored = s.runAt.get(c.job, c.dueAt) as JobRun;
        return abandoned(stored, c) ? takeOver(stored, c) : { refused: 'done', by: stored };
      }
      claimed.add(c.job);
      if (c.trigger !== 'manual') advance(c.job, c.dueAt, c.nowMs);
      return { run: insertedRun(c, row.id) };
    });
  };

  return {
    async ensureJobs(jobs, nowMs) {
      return write('registering jobs', () => {
        const { insertJob, selectStates } = st();
        for (const job of jobs) insertJob.run(job, nowMs, nowMs);
        return (selectStates.all() as StateRow[]).map(toState);
      });
    },
    async loadJobState(job) {
      const row = read(`reading the state of job "${job}"`, () => st().selectState.get(job)) as
        | StateRow
        | undefined;
      return row && toState(row);
    },
    async setJobPaused(job, paused, nowMs) {
      write(`${paused ? 'pausing' : 'resuming'} job "${job}"`, () =>
        st().updatePaused.run({ paused: paused ? 1 : 0, now: nowMs, job }),
      );
    },
    async claimJobRun(c) {
      return write(`claiming a run of job "${c.job}"`, () => claim(c));
    },
    async claimJobRuns(claims) {
      if (claims.length === 0) return [];
      return write(`claiming ${claims.length} job runs`, () => claimBatch(claims));
    },
    async renewJobLeases(holder, runIds, leaseUntil) {
      if (runIds.length === 0) return [];
      return write(
        `renewing ${runIds.length} job run leases`,
        () => st().renewMany.all(leaseUntil, holder, JSON.stringify(runIds)) as number[],
      );
    },
    async finishJobRuns(holder, finishes) {
      if (finishes.length === 0) return [];
      return write(`finishing ${finishes.length} job runs`, () => {
        const { finish } = st();
        return finishes.map(
          ({ runId, result: r }) =>
            finish.run(r.state, r.finishedAt, r.error ?? null, r.records ?? null, runId, holder).changes > 0,
        );
      });
    },
    async renewJobLease(runId, holder, leaseUntil) {
      return write(
        `renewing the lease of job run ${runId}`,
        () => st().renew.run(leaseUntil, runId, holder).changes > 0,
      );
    },
    async finishJobRun(runId, holder, r: JobRunResult) {
      return write(
        `finishing job run ${runId}`,
        () =>
          st().finish.run(r.state, r.finishedAt, r.error ?? null, r.records ?? null, runId, holder).changes >
          0,
      );
    },
    async releaseJobLease(runId, holder, nowMs) {
      // An expiry in the past lets another process take the run over without waiting.
      write(`releasing the lease of job run ${runId}`, () => st().release.run(nowMs - 1, runId, holder));
    },
    async findAbandonedJobRuns(nowMs, jobs) {
      return read(
        'finding abandoned job runs',
        () => st().abandoned.all(nowMs, JSON.stringify(jobs)) as JobRun[],
      );
    },
    async findRunningJobRuns(jobs) {
      return read('finding running job runs', () => st().runningOf.all(JSON.stringify(jobs)) as JobRun[]);
    },
    async recordSkippedRun(job, dueAt, reason, nowMs) {
      write(`recording a skipped run of job "${job}"`, () => {
        st().insertSkipped.run(job, dueAt, nowMs, nowMs, reason);
        advance(job, dueAt, nowMs);
      });
    },
    async recordSkippedRuns(skips) {
      if (skips.length === 0) return;
      write(`recording ${skips.length} skipped job runs`, () => {
        for (const k of skips) {
          st().insertSkipped.run(k.job, k.dueAt, k.nowMs, k.nowMs, k.reason);
          advance(k.job, k.dueAt, k.nowMs);
        }
      });
    },
    async listJobRuns(job, { limit, beforeId }) {
      return read(
        `listing runs of job "${job}"`,
        () => st().history.all(job, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as JobRun[],
      );
    },
    async pruneJobRuns(beforeMs, keepPerJob) {
      return write('pruning job runs', () => st().prune.run(beforeMs, keepPerJob).changes);
    },
  };
}
