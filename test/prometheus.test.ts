// `gapwarden serve` as an operator runs it, scraped by a real Prometheus
// (Debian's `prometheus`): the job series arrive under their documented names
// and labels (a `job` label of ours would be renamed `exported_job` by the
// server), and runs missed while gapwarden was down, found at start, are
// counted in /metrics as the log reports them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { exited, spawnCli } from './helpers/cli.js';
import { freePort } from './helpers/free-port.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const PROMETHEUS = 'prometheus';
const prometheusMissing = spawnSync(PROMETHEUS, ['--version']).error !== undefined;
const MINUTE = 60_000;
/** The job's last due time before "the downtime": this many minutes ago. */
const DOWN_MINUTES = 45;

/** The JSON log lines of a process's output. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The value of the sample `name{labels}` in an exposition, undefined when absent. */
function sampleValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('serve scraped by a real Prometheus', () => {
  let tmp: ReturnType<typeof tempDir>;
  let serve: ReturnType<typeof spawnCli>;
  let url: string;
  let port: number;

  before(async () => {
    tmp = tempDir('gapwarden-prometheus-');
    const db = join(tmp.dir, 'obs.db');
    // The job ran last DOWN_MINUTES minutes ago: then gapwarden went down.
    const store = createSqliteStore({ path: db });
    const jobs = store.part(jobStorePart);
    await store.migrate();
    const now = Date.now();
    const lastDue = Math.floor((now - DOWN_MINUTES * MINUTE) / MINUTE) * MINUTE;
    await jobs.ensureJobs(['probe'], lastDue);
    await jobs.recordSkippedRun('probe', lastDue, 'seeded by the test', lastDue);
    await store.close();

    port = await freePort();
    const config = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      config,
      `store: { sqlite: obs.db }
log: { level: info }
server: { host: 127.0.0.1, port: ${port} }
datasets:
  draws:
    partition: { sequence: { start: 1 } }
jobs:
  probe:
    kind: reconcile
    schedule: { every: 1m }
`,
    );
    // The test runner silences logs; the missed count is read from the log here.
    serve = spawnCli(['serve', '--config', config], { GAPWARDEN_LOG_LEVEL: 'info' });
    url = `http://127.0.0.1:${port}`;
    await waitFor(
      () => logLines(serve.output()).some((l) => l.msg === 'serving'),
      'serve to start',
      30_000,
    ).catch((err) => {
      throw new Error(`${err.message}:\n${serve.output()}`);
    });
  });
  after(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await exited(serve);
    }
    tmp?.cleanup();
  });

  it('counts the runs missed while down, as the log reports them', async () => {
    const missedLog = logLines(serve.output()).find(
      (l) => l.msg === 'runs missed while down' && l.job === 'probe',
    );
    assert.ok(missedLog, `serve logs the missed runs:\n${serve.output()}`);
    const missed = missedLog.missed as number;
    assert.ok(missed >= DOWN_MINUTES - 1, `about ${DOWN_MINUTES} runs were missed, the log says ${missed}`);
    // The catch-up run (policy `once`) is counted too: the metrics existed before the runner started.
    await waitFor(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return (sampleValue(text, 'gapwarden_job_runs_total', 'job_id="probe",outcome="ok"') ?? 0) >= 1;
    }, 'the catch-up run to be counted');
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.equal(sampleValue(text, 'gapwarden_job_missed_runs_total', 'job_id="probe"'), missed);
    assert.doesNotMatch(text, /[{,]job="/, 'no series carries a `job` label (Prometheus sets its own)');
  });

  it('is queried by its documented names through Prometheus', async (t) => {
    if (prometheusMissing) {
      t.skip('prometheus not installed: apt-get install prometheus');
      return;
    }
    const promPort = await freePort();
    const promConfig = join(tmp.dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: gapwarden
    scrape_interval: 1s
    static_configs: [{ targets: ['127.0.0.1:${port}'] }]
`,
    );
    const prom: ChildProcess = spawn(
      PROMETHEUS,
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promLog = '';
    prom.stderr?.on('data', (d) => (promLog += d));
    t.after(async () => {
      if (prom.exitCode === null && prom.signalCode === null) {
        prom.kill('SIGTERM');
        await exited(prom);
      }
    });
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (q: string) => {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      assert.equal(body.status, 'success', `query ${q}`);
      return body.data.result;
    };
    await waitFor(
      async () => {
        try {
          const res = await fetch(`${api}/targets`);
          const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
          return body.data.activeTargets.some((target) => target.health === 'up');
        } catch {
          return false;
        }
      },
      `Prometheus to scrape serve:\n${promLog}`,
      30_000,
    );
    await waitFor(
      async () => (await query('gapwarden_job_runs_total{job_id="probe",outcome="ok"}')).length > 0,
      'the job series to be stored',
      15_000,
    );

    const [ok] = await query('gapwarden_job_runs_total{job_id="probe",outcome="ok"}');
    assert.ok(ok);
    assert.equal(ok.metric.job_id, 'probe');
    assert.equal(ok.metric.job, 'gapwarden', "Prometheus's own `job` label is the scrape job");
    assert.equal(ok.metric.exported_job, undefined, 'no label of ours collided with `job`');
    assert.ok(Number(ok.value[1]) > 0, `the probe ran: ${ok.value[1]}`);
    const exported = await query('{exported_job!="",__name__=~"gapwarden_.*"}');
    assert.deepEqual(exported, [], 'no gapwarden series was relabelled');
    const missed = await query('gapwarden_job_missed_runs_total{job_id="probe"}');
    assert.ok(Number(missed[0]?.value[1]) >= DOWN_MINUTES - 1);
  });
});
