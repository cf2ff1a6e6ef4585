// The nightly-ETL scenario end to end, with an injected clock: a daily job at
// 02:00 Asia/Shanghai collects a calendar dataset; the service is down for three
// nights; on restart the missed run happens once, the days it missed are
// backfilled, and `jobs` shows the next run in the job's zone and in UTC.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { summarizeJob } from '../src/scheduler/job-summary.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const clock = createManualClock(Date.parse('2026-03-01T01:59:59+08:00'));
const localDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const record = (date: string) => ({ key: date, partition: date, payload: { date, close: date.length } });

describe('nightly ETL: a daily 02:00 Asia/Shanghai job across a 3-night downtime', () => {
  let tmp: ReturnType<typeof tempDir>;
  const fetched: string[] = [];
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.cleanup());

  const open = (options: { file?: string; catchUp?: 'skip' | 'once' } = {}): Engine => {
    const schedule = { cron: '0 2 * * *', timezone: 'Asia/Shanghai' };
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, options.file ?? 'etl.db') },
        datasets: {
          market: {
            partition: { calendar: { every: '1d', timezone: 'Asia/Shanghai', start: '2026-03-01' } },
            sources: [
              {
                name: 'vendor',
                type: 'function',
                // "latest" is today's local date, by the injected clock.
                latest: async () => [record(localDate(clock.now()))],
                byKey: async (vars: Record<string, string>) => {
                  fetched.push(vars.date!);
                  return [record(vars.date!)];
                },
              },
            ],
            collect: { schedule: schedule.cron, timezone: schedule.timezone },
          },
        },
        // An entry named like the implicit collect job replaces it: here to set its catch-up policy.
        ...(options.catchUp
          ? {
              jobs: {
                'collect:market': { kind: 'collect', dataset: 'market', schedule, catchUp: options.catchUp },
              },
            }
          : {}),
      },
      { env: {} },
    );
    return createEngine({ config, clock, logger: silentLogger, pollMs: 10 });
  };

  it('runs the missed 02:00 once after the restart, backfills the nights in between, shows the next run', async () => {
    const first = open();
    await first.start({ collect: true, backfill: true });
    // An empty dataset is behind its calendar: the first start collects at once (data-aware catch-up),
    // for the schedule's latest due time (Feb 28 02:00 +08:00): no run was missed, the data says to run.
    await first.jobs().idle();
    assert.deepEqual(
      (await first.jobs().history('collect:market', { limit: 5 })).map((r) => [
        r.trigger,
        new Date(r.dueAt).toISOString(),
        r.state,
      ]),
      [['catch-up', '2026-02-27T18:00:00.000Z', 'ok']],
    );
    assert.deepEqual(
      (await first.store.recordsBetween('market', 0, Number.MAX_SAFE_INTEGER)).map((r) => r.key),
      ['2026-03-01'],
    );
    clock.set(Date.parse('2026-03-01T02:00:00+08:00'));
    await waitFor(
      async () =>
        (await first.jobs().history('collect:market', { limit: 5 })).some(
          (r) => r.trigger === 'schedule' && r.state === 'ok',
        ),
      'the 02:00 run',
      10_000,
    );
    await first.stop();

    // Down from Mar 1 to Mar 4 09:00: the 02:00 runs of Mar 2, 3 and 4 were missed.
    clock.set(Date.parse('2026-03-04T09:00:00+08:00'));
    const second = open();
    const metrics = createMetrics({ engine: second, collectProcessMetrics: false });
    await second.start({ collect: true, backfill: true });
    await second.jobs().idle();
    await waitFor(
      () =>
        second.dataset('market').coverage.summary().missing === 0 &&
        second.dataset('market').coverage.window()?.[1] !== undefined,
      'the missed days to be backfilled',
      10_000,
    );

    const runs = (await second.jobs().history('collect:market', { limit: 10 })).reverse();
    const after = runs.filter((r) => r.startedAt >= Date.parse('2026-03-04T09:00:00+08:00'));
    assert.deepEqual(
      after.map((r) => [r.trigger, new Date(r.dueAt).toISOString(), r.state]),
      [['catch-up', '2026-03-03T18:00:00.000Z', 'ok']],
      'exactly one catch-up run, for the latest missed due time (Mar 4 02:00 +08:00)',
    );
    const stored = (await second.store.recordsBetween('market', 0, Number.MAX_SAFE_INTEGER)).map(
      (r) => r.key,
    );
    assert.deepEqual(stored, ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    assert.deepEqual(fetched.sort(), ['2026-03-02', '2026-03-03']);

    const [job] = (await second.jobs().list()).map(summarizeJob);
    assert.equal(job?.nextDueLocal, '2026-03-05T02:00:00+08:00');
    assert.equal(job?.nextDueAt, '2026-03-04T18:00:00.000Z');
    assert.equal(job?.lastRun?.trigger, 'catch-up');

    const app = createApp({ engine: second, server: second.config.server, version: 'test' });
    const listed = (await (await app.request('/api/jobs')).json()) as {
      jobs: { id: string; nextDueLocal: string }[];
    };
    assert.deepEqual(
      listed.jobs.map((j) => [j.id, j.nextDueLocal]),
      [['collect:market', '2026-03-05T02:00:00+08:00']],
    );
    const text = await metrics.render();
    assert.match(text, /gapwarden_job_missed_runs_total\{job_id="collect:market"\} 3/);
    assert.match(text, /gapwarden_job_runs_total\{job_id="collect:market",outcome="ok"\} 1/);
    metrics.close();
    await second.stop();
  });

  it("collects a calendar dataset behind its data at a restart even when the job's catchUp is 'skip'", async () => {
    const file = 'etl-skip.db';
    clock.set(Date.parse('2026-03-01T02:00:00+08:00'));
    const first = open({ file, catchUp: 'skip' });
    await first.start({ collect: true, backfill: true });
    await first.jobs().idle();
    await first.stop();

    // Down until Mar 4 09:00: three 02:00 runs missed, dropped by the policy; the data is three days behind.
    const restart = Date.parse('2026-03-04T09:00:00+08:00');
    clock.set(restart);
    const second = open({ file, catchUp: 'skip' });
    await second.start({ collect: true, backfill: true });
    await second.jobs().idle();
    await waitFor(
      () => second.dataset('market').coverage.summary().missing === 0,
      'the days behind to be backfilled',
      10_000,
    );
    const runs = (await second.jobs().history('collect:market', { limit: 10 }))
      .reverse()
      .filter((r) => r.startedAt >= restart);
    assert.deepEqual(
      runs.map((r) => [r.trigger, new Date(r.dueAt).toISOString(), r.state]),
      [['catch-up', '2026-03-03T18:00:00.000Z', 'ok']],
      'the data-aware catch-up runs the latest due time (Mar 4 02:00 +08:00) instead of recording it skipped',
    );
    assert.deepEqual(
      (await second.store.recordsBetween('market', 0, Number.MAX_SAFE_INTEGER)).map((r) => r.key),
      ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'],
    );
    await second.stop();
  });
});
