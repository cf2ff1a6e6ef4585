// The jobs module's part of the store (state, run history, run leases): on
// every adapter in STORE_ADAPTERS, the part passes these same tests on a fresh
// database each.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { JobClaim, JobClaimResult, JobRun, JobStore } from '../src/scheduler/store/job-store.js';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
import type { Store } from '../src/store/store.js';
import { STORE_ADAPTERS, type StoreAdapter } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;
type FullStore = JobStore;

const claim = (over: Partial<JobClaim> = {}): JobClaim => ({
  job: 'collect:draws',
  dueAt: T0,
  trigger: 'schedule',
  holder: 'a',
  nowMs: T0,
  leaseMs: 10_000,
  exclusive: true,
  ...over,
});
function runOf(result: JobClaimResult): JobRun {
  assert.ok('run' in result, `expected a run, got refused: ${'refused' in result ? result.refused : ''}`);
  return result.run;
}

function jobStoreContract(adapter: StoreAdapter) {
  let locator: string;
  let opened: Store[];
  let store: FullStore;
  const connect = async () => {
    const s = await adapter.open(locator);
    opened.push(s);
    const jobs = s.part(jobStorePart);
    await s.migrate();
    return jobs;
  };

  beforeEach(async () => {
    opened = [];
    locator = await adapter.createDatabase();
    store = await connect();
    await store.ensureJobs(['collect:draws', 'check'], T0);
  });
  afterEach(async () => {
    for (const s of opened) await s.close();
    await adapter.dropDatabase(locator);
  });

  it('registers jobs idempotently; pause survives a new connection', async () => {
    const states = await store.ensureJobs(['collect:draws', 'reconcile'], T0);
    assert.deepEqual(
      states.map((s) => [s.job, s.paused, s.lastDueAt]),
      [
        ['check', false, null],
        ['collect:draws', false, null],
        ['reconcile', false, null],
      ],
    );
    await store.setJobPaused('check', true, T0);
    const other = await connect();
    assert.equal((await other.loadJobState('check'))?.paused, true);
    await other.setJobPaused('check', false, T0);
    assert.equal((await store.loadJobState('check'))?.paused, false);
    assert.equal(await store.loadJobState('nope'), undefined);
  });

  it('one run per (job, due time): a second claim is refused as done, even after it finished', async () => {
    const run = runOf(await store.claimJobRun(claim()));
    assert.deepEqual([run.state, run.attempt, run.holder, run.leaseUntil], ['running', 1, 'a', T0 + 10_000]);
    const again = await store.claimJobRun(claim({ holder: 'b', nowMs: T0 + 5 }));
    assert.ok('refused' in again && again.refused === 'done');
    assert.equal(
      await store.finishJobRun(run.id, 'a', { state: 'ok', finishedAt: T0 + 100, records: 7 }),
      true,
    );
    const later = await store.claimJobRun(claim({ holder: 'b', nowMs: T0 + 60_000 }));
    assert.ok('refused' in later && later.refused === 'done');
    const [stored] = await store.listJobRuns('collect:draws', { limit: 5 });
    assert.deepEqual([stored?.state, stored?.records, stored?.finishedAt], ['ok', 7, T0 + 100]);
    assert.equal((await store.loadJobState('collect:draws'))?.lastDueAt, T0);
  });

  it('an exclusive claim is refused while another run of the job holds a live lease', async () => {
    runOf(await store.claimJobRun(claim()));
    const overlap = await store.claimJobRun(claim({ dueAt: T0 + 1000, nowMs: T0 + 1000, holder: 'b' }));
    assert.ok('refused' in overlap && overlap.refused === 'overlap');
    assert.equal(overlap.by?.holder, 'a');
    runOf(await store.claimJobRun(claim({ dueAt: T0 + 1000, nowMs: T0 + 1000, exclusive: false })));
    runOf(await store.claimJobRun(claim({ job: 'check', dueAt: T0 + 1000, nowMs: T0 + 1000 })));
  });

  it('lists running runs with live leases; a run finished for its gone holder stops counting as live', async () => {
    const live = runOf(await store.claimJobRun(claim({ holder: 'dead', leaseMs: 60_000 })));
    runOf(await store.claimJobRun(claim({ job: 'check', holder: 'dead' })));
    assert.deepEqual(
      (await store.findRunningJobRuns(['collect:draws'])).map((r) => [r.id, r.holder]),
      [[live.id, 'dead']],
    );
    // The takeover of a provably gone holder: its run is finished as failed (abandoned) in its name.
    const other = await connect();
    const error = 'abandoned: holder dead is gone';
    assert.equal(
      await other.finishJobRun(live.id, 'dead', { state: 'failed', finishedAt: T0 + 10, error }),
      true,
    );
    assert.deepEqual(await store.findRunningJobRuns(['collect:draws']), []);
    runOf(await other.claimJobRun(claim({ dueAt: T0 + 1000, nowMs: T0 + 20, holder: 'b' })));
    const [, abandoned] = await store.listJobRuns('collect:draws', { limit: 5 });
    assert.deepEqual([abandoned?.state, abandoned?.error], ['failed', error]);
  });

  it('a lease that expired is taken over by another holder; the old holder can no longer renew or finish', async () => {
    const first = runOf(await store.claimJobRun(claim({ leaseMs: 1000 })));
    assert.equal(await store.renewJobLease(first.id, 'a', T0 + 1500), true);
    assert.deepEqual(await store.findAbandonedJobRuns(T0 + 1000, ['collect:draws']), []);
    const abandoned = await store.findAbandonedJobRuns(T0 + 2000, ['collect:draws', 'check']);
    assert.deepEqual(
      abandoned.map((r) => r.id),
      [first.id],
    );
    assert.deepEqual(await store.findAbandonedJobRuns(T0 + 2000, ['check']), []);
    const other = await connect();
    const taken = runOf(await other.claimJobRun(claim({ holder: 'b', nowMs: T0 + 2000 })));
    assert.deepEqual([taken.id, taken.attempt, taken.holder], [first.id, 2, 'b']);
    assert.equal(await store.renewJobLease(first.id, 'a', T0 + 9000), false);
    assert.equal(await store.finishJobRun(first.id, 'a', { state: 'ok', finishedAt: T0 + 2100 }), false);
    assert.equal(
      await other.finishJobRun(first.id, 'b', { state: 'failed', finishedAt: T0 + 2200, error: 'x' }),
      true,
    );
    const [run] = await store.listJobRuns('collect:draws', { limit: 1 });
    assert.deepEqual([run?.state, run?.error, run?.holder], ['failed', 'x', 'b']);
  });

  it('a released lease can be taken over at once', async () => {
    const run = runOf(await store.claimJobRun(claim()));
    await store.releaseJobLease(run.id, 'a', T0 + 10);
    const taken = runOf(await store.claimJobRun(claim({ holder: 'b', nowMs: T0 + 10 })));
    assert.equal(taken.attempt, 2);
  });

  it('manual runs never collide and do not move the schedule; skipped runs do', async () => {
    const m1 = runOf(await store.claimJobRun(claim({ trigger: 'manual', exclusive: false, detail: 'k=v' })));
    const m2 = runOf(await store.claimJobRun(claim({ trigger: 'manual', exclusive: false })));
    assert.notEqual(m1.dueAt, m2.dueAt);
    assert.equal(m1.detail, 'k=v');
    assert.equal((await store.loadJobState('collect:draws'))?.lastDueAt, null);
    await store.recordSkippedRun('check', T0 + 5000, 'previous run still running', T0 + 5000);
    await store.recordSkippedRun('check', T0 + 5000, 'again', T0 + 5001);
    await store.recordSkippedRun('check', T0 + 1000, 'older', T0 + 5002);
    assert.equal((await store.loadJobState('check'))?.lastDueAt, T0 + 5000);
    const runs = await store.listJobRuns('check', { limit: 10 });
    assert.deepEqual(
      runs.map((r) => [r.state, r.dueAt, r.detail]),
      [
        ['skipped', T0 + 1000, 'older'],
        ['skipped', T0 + 5000, 'previous run still running'],
      ],
    );
  });

  it('a batch claim reads pause inside it, claims each due time once and decides overlap within the batch', async () => {
    await store.ensureJobs(['ahead'], T0);
    await store.setJobPaused('check', true, T0);
    const results = await store.claimJobRuns([
      claim(),
      claim({ holder: 'b' }),
      claim({ job: 'check', checkPaused: true }),
      claim({ job: 'check', dueAt: T0 + 1, exclusive: false }),
      claim({ dueAt: T0 + 1000 }),
      claim({ job: 'ahead', dueAt: T0 + 500, startsAt: T0 + 500 }),
    ]);
    assert.deepEqual(
      results.map((r) => ('run' in r ? `run ${r.run.job}@${r.run.dueAt - T0}` : r.refused)),
      ['run collect:draws@0', 'done', 'paused', 'run check@1', 'overlap', 'run ahead@500'],
    );
    // Claimed ahead: it starts (and its lease runs) from its start, not from the claim.
    const ahead = runOf(results[5]!);
    assert.deepEqual([ahead.startedAt, ahead.leaseUntil], [T0 + 500, T0 + 10_500]);
    const stored = await store.listJobRuns('ahead', { limit: 5 });
    assert.deepEqual(
      stored.map((r) => [r.id, r.state, r.startedAt, r.leaseUntil, r.holder]),
      [[ahead.id, 'running', T0 + 500, T0 + 10_500, 'a']],
    );
    assert.equal((await store.loadJobState('collect:draws'))?.lastDueAt, T0);
    // A later batch sees the first one's runs: done for the same due time, overlap for the next one.
    const again = await store.claimJobRuns([
      claim({ holder: 'b', nowMs: T0 + 10 }),
      claim({ dueAt: T0 + 2000 }),
    ]);
    assert.deepEqual(
      again.map((r) => ('refused' in r ? [r.refused, r.by?.holder] : ['run'])),
      [
        ['done', 'a'],
        ['overlap', 'a'],
      ],
    );
    // An expired lease is taken over by a batch claim of its due time (attempt 2).
    const taken = await store.claimJobRuns([claim({ holder: 'b', nowMs: T0 + 20_000 })]);
    assert.deepEqual([runOf(taken[0]!).holder, runOf(taken[0]!).attempt], ['b', 2]);
  });

  it('two connections claiming the same due times at once: each is claimed exactly once', async () => {
    const jobs = Array.from({ length: 150 }, (_, i) => `job-${String(i).padStart(3, '0')}`);
    await store.ensureJobs(jobs, T0);
    const other = await connect();
    const batch = (holder: string, order: string[]) =>
      order.flatMap((job) => [0, 1000].map((d) => claim({ job, holder, dueAt: T0 + d, exclusive: false })));
    // Opposite orders: the job rows are locked in name order, so the batches cannot deadlock.
    const [a, b] = await Promise.all([
      store.claimJobRuns(batch('a', jobs)),
      other.claimJobRuns(batch('b', [...jobs].reverse())),
    ]);
    const won = [...a, ...b].filter((r) => 'run' in r).map((r) => `${runOf(r).job}@${runOf(r).dueAt}`);
    assert.equal(won.length, jobs.length * 2);
    assert.equal(new Set(won).size, jobs.length * 2);
    for (const r of [...a, ...b]) if ('refused' in r) assert.equal(r.refused, 'done');
  });

  it('leases renew and runs finish in batches, only where the holder still holds the lease', async () => {
    await store.ensureJobs(['ahead'], T0);
    const [r1, r2, r3] = (
      await store.claimJobRuns([claim(), claim({ job: 'check' }), claim({ job: 'ahead', leaseMs: 100 })])
    ).map(runOf);
    runOf(await store.claimJobRun(claim({ job: 'ahead', holder: 'b', nowMs: T0 + 200 })));
    assert.deepEqual(
      (await store.renewJobLeases('a', [r1!.id, r2!.id, r3!.id], T0 + 30_000)).sort((x, y) => x - y),
      [r1!.id, r2!.id].sort((x, y) => x - y),
    );
    assert.deepEqual(await store.renewJobLeases('a', [], T0), []);
    const finished = await store.finishJobRuns('a', [
      { runId: r1!.id, result: { state: 'ok', finishedAt: T0 + 300, records: 3 } },
      { runId: r2!.id, result: { state: 'failed', finishedAt: T0 + 301, error: 'boom' } },
      { runId: r3!.id, result: { state: 'ok', finishedAt: T0 + 302 } },
    ]);
    assert.deepEqual(finished, [true, true, false]);
    const [c] = await store.listJobRuns('check', { limit: 1 });
    assert.deepEqual([c?.state, c?.error, c?.finishedAt, c?.leaseUntil], ['failed', 'boom', T0 + 301, null]);
    const [d] = await store.listJobRuns('collect:draws', { limit: 1 });
    assert.deepEqual([d?.state, d?.records], ['ok', 3]);
    const [e] = await store.listJobRuns('ahead', { limit: 1 });
    assert.deepEqual([e?.state, e?.holder], ['running', 'b']);
  });

  it('skipped runs recorded in a batch are idempotent and advance lastDueAt', async () => {
    const skip = (job: string, d: number, reason: string) => ({ job, dueAt: T0 + d, reason, nowMs: T0 + d });
    await store.recordSkippedRuns([skip('check', 1000, 'overlap'), skip('check', 2000, 'overlap')]);
    await store.recordSkippedRuns([skip('check', 2000, 'again'), skip('collect:draws', 500, 'x')]);
    await store.recordSkippedRuns([]);
    assert.equal((await store.loadJobState('check'))?.lastDueAt, T0 + 2000);
    assert.equal((await store.loadJobState('collect:draws'))?.lastDueAt, T0 + 500);
    assert.deepEqual(
      (await store.listJobRuns('check', { limit: 10 })).map((r) => [r.state, r.dueAt - T0, r.detail]),
      [
        ['skipped', 2000, 'overlap'],
        ['skipped', 1000, 'overlap'],
      ],
    );
  });

  it('history pages newest first and pruning keeps the newest runs of each job', async () => {
    for (let i = 0; i < 10; i++) {
      const run = runOf(await store.claimJobRun(claim({ dueAt: T0 + i * 1000, nowMs: T0 + i * 1000 })));
      await store.finishJobRun(run.id, 'a', { state: 'ok', finishedAt: T0 + i * 1000 + 1 });
    }
    const page1 = await store.listJobRuns('collect:draws', { limit: 4 });
    assert.deepEqual(
      page1.map((r) => r.dueAt),
      [9, 8, 7, 6].map((i) => T0 + i * 1000),
    );
    const page2 = await store.listJobRuns('collect:draws', { limit: 4, beforeId: page1.at(-1)!.id });
    assert.equal(page2[0]?.dueAt, T0 + 5000);
    assert.equal(await store.pruneJobRuns(T0 + 100_000, 3), 7);
    assert.equal((await store.listJobRuns('collect:draws', { limit: 20 })).length, 3);
  });
}

for (const adapter of STORE_ADAPTERS)
  describe(`job store contract: ${adapter.name}`, { skip: adapter.skip }, () => jobStoreContract(adapter));
