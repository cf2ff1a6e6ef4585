// Two real `serve` processes on one SQLite file: every due run of a job runs
// exactly once between them, and when the lease holder is killed with -9 the
// other takes its run over once the lease expires.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobRun } from '../src/scheduler/store/job-store.js';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

describe('jobs across two serve processes on one SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let config: string;
  let db: string;

  before(() => {
    tmp = tempDir();
    db = join(tmp.dir, 'jobs.db');
    config = join(tmp.dir, 'gapwarden.config.ts');
    // `tick` runs every second and finishes at once; `slow` hangs in the process started with HANG=1.
    writeFileSync(
      config,
      `export default {
  store: { sqlite: 'jobs.db' },
  log: { level: 'info' },
  datasets: {},
  scheduler: { leaseTtl: '2s' },
  jobs: {
    tick: { kind: 'function', schedule: { every: '1s' }, run: async () => ({ records: 1 }) },
    slow: {
      kind: 'function',
      schedule: { cron: '0 0 1 1 *' },
      timeout: '5m',
      run: async ({ signal }) => {
        if (process.env.HANG !== '1') return { records: 2 };
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    },
  },
};
`,
    );
  });
  after(() => tmp.cleanup());

  const runs = async (job: string): Promise<JobRun[]> => {
    const store = createSqliteStore({ path: db });
    try {
      const jobs = store.part(jobStorePart);
      await store.migrate();
      return (await jobs.listJobRuns(job, { limit: 10_000 })).reverse();
    } finally {
      await store.close();
    }
  };

  it('runs each due time of a 1 s job exactly once between them', async () => {
    const a = spawnCli(['serve', '--config', config, '--no-http']);
    const b = spawnCli(['serve', '--config', config, '--no-http']);
    try {
      await waitFor(
        async () => (await runs('tick')).filter((r) => r.state === 'ok').length >= 8,
        '8 runs of tick',
        30_000,
      );
    } finally {
      a.kill('SIGTERM');
      b.kill('SIGTERM');
    }
    const [ea, eb] = await Promise.all([exited(a), exited(b)]);
    assert.equal(ea.code, 0, a.output());
    assert.equal(eb.code, 0, b.output());
    const all = (await runs('tick')).filter((r) => r.trigger === 'schedule');
    const dues = all.map((r) => r.dueAt);
    assert.equal(new Set(dues).size, dues.length, 'no due time ran twice');
    // Consecutive due times: nothing was skipped between the first and the last run.
    for (let i = 1; i < dues.length; i++)
      assert.equal(dues[i]! - dues[i - 1]!, 1000, `a gap in the runs after ${dues[i - 1]}`);
    assert.ok(
      all.every((r) => r.state === 'ok' && r.attempt === 1),
      JSON.stringify(all.filter((r) => r.state !== 'ok')),
    );
  });

  it('after kill -9 of the holder of a run, the other process takes the run over when the lease expires', async () => {
    const other = spawnCli(['serve', '--config', config, '--no-http'], { HANG: '0' });
    try {
      // `jobs run` runs the job in its own process, which holds the lease and hangs.
      const trigger = spawnCli(['jobs', 'run', 'slow', '--config', config], { HANG: '1' });
      await waitFor(
        async () => (await runs('slow')).some((r) => r.state === 'running'),
        'the slow run to start',
        20_000,
      );
      const started = (await runs('slow')).find((r) => r.state === 'running')!;
      const killedAt = Date.now();
      trigger.kill('SIGKILL');
      assert.equal((await exited(trigger)).signal, 'SIGKILL');
      await waitFor(
        async () => (await runs('slow')).some((r) => r.id === started.id && r.state === 'ok'),
        'another process to take the run over and finish it',
        20_000,
      );
      const tookMs = Date.now() - killedAt;
      const [run] = (await runs('slow')).filter((r) => r.id === started.id);
      assert.equal(run!.attempt, 2);
      assert.notEqual(run!.holder, started.holder);
      assert.equal(run!.records, 2, 'finished by the process that does not hang');
      // Lease 2 s + the 1 s poll for abandoned runs, with room for a loaded machine.
      assert.ok(tookMs < 8000, `took over after ${tookMs} ms`);
    } finally {
      other.kill('SIGTERM');
    }
    assert.equal((await exited(other)).code, 0, other.output());
  });
});
