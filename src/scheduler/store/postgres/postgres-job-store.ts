import type { PgClient, PostgresHandle } from '../../../store/postgres/postgres-connection.js';
import { decideClaims, insertedRun, leaseUntilOf, runKey } from '../decide-claims.js';
import type { JobClaim, JobClaimResult, JobRun, JobState, JobStore } from '../job-store.js';

const SELECT_RUN = `
  SELECT id, job, due_at AS "dueAt", trigger, state, attempt, holder, lease_until AS "leaseUntil",
         started_at AS "startedAt", finished_at AS "finishedAt", error, records, detail
  FROM job_runs`;
const SELECT_STATE = 'SELECT name AS job, paused, last_due_at AS "lastDueAt" FROM jobs';

const ADVANCE_DUE = `UPDATE jobs SET last_due_at = GREATEST(COALESCE(last_due_at, $1), $1), updated_at = $2
  WHERE name = $3`;

async function runAt(c: PgClient, job: string, dueAt: number): Promise<JobRun | undefined> {
  return (await c.query<JobRun>(`${SELECT_RUN} WHERE job = $1 AND due_at = $2`, [job, dueAt])).rows[0];
}
async function runById(c: PgClient, id: number): Promise<JobRun> {
  return (await c.query<JobRun>(`${SELECT_RUN} WHERE id = $1`, [id])).rows[0]!;
}

/**
 * The claim, in the caller's transaction. The job's row is locked first, so
 * claims of one job from any number of processes run one after another; the
 * UNIQUE (job, due_at) constraint backs that up.
 */
async function claimRun(c: PgClient, claim: JobClaim): Promise<JobClaimResult> {
  await c.query('SELECT 1 FROM jobs WHERE name = $1 FOR UPDATE', [claim.job]);
  let dueAt = claim.dueAt;
  let existing = await runAt(c, claim.job, dueAt);
  // A manual run is "now": when that exact millisecond is taken, the next free one is as good.
  while (existing && claim.trigger === 'manual') existing = await runAt(c, claim.job, ++dueAt);
  const leaseUntil = claim.nowMs + claim.leaseMs;
  if (existing) {
    if (existing.state !== 'running' || (existing.leaseUntil ?? 0) >= claim.nowMs) {
      return { refused: 'done', by: existing };
    }
    await c.query(
      `UPDATE job_runs SET holder = $1, lease_until = $2, attempt = attempt + 1, started_at = $3
       WHERE id = $4 AND state = 'running' AND lease_until < $3`,
      [claim.holder, leaseUntil, claim.nowMs, existing.id],
    );
    return { run: await runById(c, existing.id) };
  }
  if (claim.exclusive) {
    const { rows } = await c.query<JobRun>(
      `${SELECT_RUN} WHERE job = $1 AND state = 'running' AND lease_until >= $2 ORDER BY id LIMIT 1`,
      [claim.job, claim.nowMs],
    );
    if (rows[0]) return { refused: 'overlap', by: rows[0] };
  }
  const { rows } = await c.query<[number]>({
    text: `INSERT INTO job_runs (job, due_at, trigger, state, attempt, holder, lease_until, started_at, detail)
           VALUES ($1, $2, $3, 'running', 1, $4, $5, $6, $7) RETURNING id`,
    values: [claim.job, dueAt, claim.trigger, claim.holder, leaseUntil, claim.nowMs, claim.detail ?? null],
    rowMode: 'array',
  });
  if (claim.trigger !== 'manual') await c.query(ADVANCE_DUE, [dueAt, claim.nowMs, claim.job]);
  return { run: await runById(c, rows[0]![0]) };
}

/**
 * A batch of claims in the caller's transaction, in three statements whatever
 * its size (plus one per take-over of an abandoned run, which is rare): the
 * batch's job rows are locked first, in name order (so two processes' batches
 * never deadlock), with their pause state; then one read of the runs that
 * decide the claims (the batch's jobs' running runs and the runs already at
 * its (job, dueAt) pairs), after the lock so it sees what a process that held
 * it committed; then one statement that inserts the new runs and advances the
 * jobs' `lastDueAt`. Decided as `decideClaims` says.
 */
async function claimRuns(c: PgClient, claims: readonly JobClaim[]): Promise<JobClaimResult[]> {
  const jobs = [...new Set(claims.map((x) => x.job))];
  // Only the paused names come back: a tick's batch is thousands of jobs, nearly none paused.
  const paused = await c.query<[string]>({
    // MATERIALIZED: every row is locked, not only those the outer filter keeps.
    text: `WITH locked AS MATERIALIZED (
             SELECT name, paused FROM jobs WHERE name = ANY ($1::text[]) ORDER BY name FOR UPDATE
           )
           SELECT name FROM locked WHERE paused`,
    values: [jobs],
    rowMode: 'array',
  });
  // LATERAL: one index lookup per (job, due time), never a scan of the whole history.
  const { rows } = await c.query<JobRun>(
    `${SELECT_RUN} WHERE state = 'running' AND job = ANY ($1::text[])
     UNION
     SELECT r.* FROM unnest($2::text[], $3::bigint[]) AS k (job, due)
     CROSS JOIN LATERAL (${SELECT_RUN} WHERE job = k.job AND due_at = k.due) AS r`,
    [jobs, claims.map((x) => x.job), claims.map((x) => x.dueAt)],
  );
  const keys = new Set(claims.map((x) => runKey(x.job, x.dueAt)));
  const decisions = decideClaims(
    claims,
    new Set(paused.rows.map((r) => r[0])),
    rows.filter((r) => r.state === 'running'),
    rows.filter((r) => keys.has(runKey(r.job, Number(r.dueAt)))),
  );
  const inserts = decisions.flatMap((d) => (d.kind === 'insert' ? [d.claim] : []));
  const ids = new Map<string, number>();
  if (inserts.length > 0) {
    const inserted = await c.query<[number, string, number]>({
      text: `WITH ins AS (
               INSERT INTO job_runs (job, due_at, trigger, state, attempt, holder, lease_until, started_at, detail)
               SELECT j, d, t, 'running', 1, h, l, s, dt
               FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])
                 AS u (j, d, t, h, l, s, dt)
               RETURNING id, job, due_at
             ), advanced AS (
               UPDATE jobs SET last_due_at = GREATEST(COALESCE(last_due_at, v.due), v.due), updated_at = v.now
               FROM (SELECT j, max(d) AS due, max(n) AS now
                     FROM unnest($1::text[], $2::bigint[], $8::bigint[], $3::text[]) AS u (j, d, n, t)
                     WHERE t <> 'manual' GROUP BY j) AS v
               WHERE jobs.name = v.j
             )
             SELECT id, job, due_at FROM ins`,
      values: [
        inserts.map((x) => x.job),
        inserts.map((x) => x.dueAt),
        inserts.map((x) => x.trigger),
        inserts.map((x) => x.holder),
        inserts.map(leaseUntilOf),
        inserts.map((x) => x.startsAt ?? x.nowMs),
        inserts.map((x) => x.detail ?? null),
        inserts.map((x) => x.nowMs),
      ],
      rowMode: 'array',
    });
    for (const [id, job, dueAt] of inserted.rows) ids.set(runKey(job, Number(dueAt)), Number(id));
  }
  const out: JobClaimResult[] = [];
  for (const d of decisions) {
    if (d.kind === 'refused') out.push(d.result);
    else if (d.kind === 'insert')
      out.push({ run: insertedRun(d.claim, ids.get(runKey(d.claim.job, d.claim.dueAt))!) });
    else {
      await c.query(
        `UPDATE job_runs SET holder = $1, lease_until = $2, attempt = attempt + 1, started_at = $3
         WHERE id = $4 AND state = 'running' AND lease_until < $3`,
        [d.claim.holder, d.claim.nowMs + d.claim.leaseMs, d.claim.nowMs, d.run.id],
      );
      out.push({ run: await runById(c, d.run.id) });
    }
  }
  return out;
}

/**
 * Job state, run history and run leases on PostgreSQL. Reads and idempotent
 * writes are retried like reads; claims, finishing and pruning are
 * transactions (retried only when the failure came before COMMIT).
 */
export function createPostgresJobStore(exec: PostgresHandle): JobStore {
  return {
    ensureJobs: (jobs, nowMs) =>
      exec.read('registering jobs', async (c) => {
        await c.query(
          `INSERT INTO jobs (name, created_at, updated_at) SELECT j, $2, $2 FROM unnest($1::text[]) AS j
           ON CONFLICT (name) DO NOTHING`,
          [jobs, nowMs],
        );
        return (await c.query<JobState>(`${SELECT_STATE} ORDER BY name`)).rows;
      }),
    loadJobState: (job) =>
      exec.read(
        `reading the state of job "${job}"`,
        async (c) => (await c.query<JobState>(`${SELECT_STATE} WHERE name = $1`, [job])).rows[0],
      ),
    async setJobPaused(job, paused, nowMs) {
      // Resuming restarts the schedule from now: the runs due while paused are not "missed".
      await exec.read(`${paused ? 'pausing' : 'resuming'} job "${job}"`, (c) =>
        c.query(
          `UPDATE jobs SET paused = $1, updated_at = $2,
             last_due_at = CASE WHEN NOT $1 AND last_due_at IS NOT NULL THEN GREATEST(last_due_at, $2)
                                ELSE last_due_at END
           WHERE name = $3`,
          [paused, nowMs, job],
        ),
      );
    },
    claimJobRun: (claim) =>
      exec.transaction(`claiming a run of job "${claim.job}"`, (c) => claimRun(c, claim)),
    claimJobRuns: async (claims) =>
      claims.length === 0
        ? []
        : exec.transaction(`claiming ${claims.length} job runs`, (c) => claimRuns(c, claims)),
    renewJobLeases: async (holder, runIds, leaseUntil) =>
      runIds.length === 0
        ? []
        : exec.read(`renewing ${runIds.length} job run leases`, async (c) => {
            const { rows } = await c.query<{ id: number }>(
              `UPDATE job_runs SET lease_until = $1 WHERE holder = $2 AND state = 'running'
               AND id = ANY ($3::bigint[]) RETURNING id`,
              [leaseUntil, holder, runIds],
            );
            return rows.map((r) => r.id);
          }),
    finishJobRuns: async (holder, finishes) =>
      finishes.length === 0
        ? []
        : exec.transaction(`finishing ${finishes.length} job runs`, async (c) => {
            const { rows } = await c.query<{ id: number }>(
              `UPDATE job_runs j SET state = u.state, finished_at = u.fin, error = u.err, records = u.rec,
                 lease_until = NULL
               FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::integer[])
                 AS u (id, state, fin, err, rec)
               WHERE j.id = u.id AND j.holder = $6 AND j.state = 'running'
               RETURNING j.id`,
              [
                finishes.map((f) => f.runId),
                finishes.map((f) => f.result.state),
                finishes.map((f) => f.result.finishedAt),
                finishes.map((f) => f.result.error ?? null),
                finishes.map((f) => f.result.records ?? null),
                holder,
              ],
            );
            const done = new Set(rows.map((r) => r.id));
            return finishes.map((f) => done.has(f.runId));
          }),
    renewJobLease: (runId, holder, leaseUntil) =>
      exec.read(`renewing the lease of job run ${runId}`, async (c) => {
        const { rowCount } = await c.query(
          `UPDATE job_runs SET lease_until = $1 WHERE id = $2 AND holder = $3 AND state = 'running'`,
          [leaseUntil, runId, holder],
        );
        return (rowCount ?? 0) > 0;
      }),
    finishJobRun: (runId, holder, r) =>
      exec.transaction(`finishing job run ${runId}`, async (c) => {
        const { rowCount } = await c.query(
          `UPDATE job_runs SET state = $1, finished_at = $2, error = $3, records = $4, lease_until = NULL
           WHERE id = $5 AND holder = $6 AND state = 'running'`,
          [r.state, r.finishedAt, r.error ?? null, r.records ?? null, runId, holder],
        );
        return (rowCount ?? 0) > 0;
      }),
    async releaseJobLease(runId, holder, nowMs) {
      // An expiry in the past lets another process take the run over without waiting.
      await exec.read(`releasing the lease of job run ${runId}`, (c) =>
        c.query(`UPDATE job_runs SET lease_until = $1 WHERE id = $2 AND holder = $3 AND state = 'running'`, [
          nowMs - 1,
          runId,
          holder,
        ]),
      );
    },
    findAbandonedJobRuns: (nowMs, jobs) =>
      exec.read(
        'finding abandoned job runs',
        async (c) =>
          (
            await c.query<JobRun>(
              `${SELECT_RUN} WHERE state = 'running' AND lease_until < $1 AND job = ANY ($2::text[]) ORDER BY due_at`,
              [nowMs, jobs],
            )
          ).rows,
      ),
    findRunningJobRuns: (jobs) =>
      exec.read(
        'finding running job runs',
        async (c) =>
          (
            await c.query<JobRun>(
              `${SELECT_RUN} WHERE state = 'running' AND job = ANY ($1::text[]) ORDER BY due_at`,
              [jobs],
            )
          ).rows,
      ),
    async recordSkippedRun(job, dueAt, reason, nowMs) {
      await exec.transaction(`recording a skipped run of job "${job}"`, async (c) => {
        await c.query(
          `INSERT INTO job_runs (job, due_at, trigger, state, attempt, started_at, finished_at, detail)
           VALUES ($1, $2, 'schedule', 'skipped', 0, $3, $3, $4) ON CONFLICT (job, due_at) DO NOTHING`,
          [job, dueAt, nowMs, reason],
        );
        await c.query(ADVANCE_DUE, [dueAt, nowMs, job]);
      });
    },
    async recordSkippedRuns(skips) {
      if (skips.length === 0) return;
      await exec.transaction(`recording ${skips.length} skipped job runs`, async (c) => {
        const cols = [
          skips.map((k) => k.job),
          skips.map((k) => k.dueAt),
          skips.map((k) => k.nowMs),
          skips.map((k) => k.reason),
        ];
        await c.query(
          `INSERT INTO job_runs (job, due_at, trigger, state, attempt, started_at, finished_at, detail)
           SELECT j, d, 'schedule', 'skipped', 0, n, n, r
           FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS u (j, d, n, r)
           ON CONFLICT (job, due_at) DO NOTHING`,
          cols,
        );
        await c.query(
          `UPDATE jobs SET last_due_at = GREATEST(COALESCE(last_due_at, v.due), v.due), updated_at = v.now
           FROM (SELECT j, max(d) AS due, max(n) AS now FROM unnest($1::text[], $2::bigint[], $3::bigint[])
                 AS u (j, d, n) GROUP BY j) AS v
           WHERE jobs.name = v.j`,
          cols.slice(0, 3),
        );
      });
    },
    listJobRuns: (job, { limit, beforeId }) =>
      exec.read(
        `listing runs of job "${job}"`,
        async (c) =>
          (
            await c.query<JobRun>(`${SELECT_RUN} WHERE job = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, [
              job,
              beforeId ?? Number.MAX_SAFE_INTEGER,
              limit,
            ])
          ).rows,
      ),
    pruneJobRuns: (beforeMs, keepPerJob) =>
      exec.transaction('pruning job runs', async (c) => {
        const { rowCount } = await c.query(
          `DELETE FROM job_runs j WHERE state <> 'running' AND COALESCE(finished_at, started_at) < $1
             AND id NOT IN (SELECT id FROM job_runs r2 WHERE r2.job = j.job ORDER BY r2.id DESC LIMIT $2)`,
          [beforeMs, keepPerJob],
        );
        return rowCount ?? 0;
      }),
  };
}
