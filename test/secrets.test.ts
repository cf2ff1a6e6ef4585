import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createLogger } from '../src/logging/json-logger.js';
import { createApp } from '../src/server/app.js';
import { startUpstream, type Upstream } from '../src/sources/http/test-upstream.js';
import { runCli } from './helpers/cli.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

/** Secrets with characters that URLs encode, so every encoded form is exercised. */
const PATH_SECRET = 'pAth5ecretX with space';
const APPCODE = 'appC0deSecretY+&=/';
const TOKEN = 'tokenSecretZ-0123456789abcdef';
/** Parts of each secret that survive any encoding: none may appear anywhere. */
const CORES = ['pAth5ecretX', 'appC0deSecretY', 'tokenSecretZ'];

/** Fails naming every output that shows a secret, each with an excerpt around it. */
function assertNoLeaks(outputs: Record<string, string>): void {
  const leaks: Record<string, string> = {};
  for (const [what, text] of Object.entries(outputs)) {
    const core = CORES.find((c) => text.includes(c));
    if (core) leaks[what] = text.slice(Math.max(0, text.indexOf(core) - 200), text.indexOf(core) + 60);
  }
  assert.deepEqual(leaks, {}, `outputs that show a secret: ${Object.keys(leaks).join(', ')}`);
}

/** A JSON string field `name` whose value holds a mask (quotes inside it escaped). */
const maskedField = (name: string) => `"${name}":\\s*"(?:[^"\\\\]|\\\\.)*\\*\\*\\*`;

/** The path the HTTP source requests, as the upstream sees it (percent-encoded). */
const pathOf = (call: string) => new URL(`http://h/gw/${PATH_SECRET}/${call}`).pathname;

/** Every row of every table, as text per table: nothing the store keeps may hold a secret. */
async function dumpSqlite(path: string): Promise<Record<string, string>> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map((t) => [`table ${t.name}`, JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())]),
    );
  } finally {
    db.close();
  }
}

async function dumpPostgres(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    const out: Record<string, string> = {};
    for (const { table_name: t } of rows) {
      out[`table ${t}`] = JSON.stringify((await client.query(`SELECT * FROM "${t}"`)).rows);
    }
    return out;
  } finally {
    await client.end();
  }
}

for (const adapter of STORE_ADAPTERS) {
  describe(`secrets from the environment are never shown (${adapter.name})`, { skip: adapter.skip }, () => {
    let up: Upstream;
    let tmp: ReturnType<typeof tempDir>;
    let locator: string;
    let file: string;
    let env: Record<string, string>;

    before(async () => {
      up = await startUpstream();
      tmp = tempDir();
      locator = await adapter.createDatabase();
      // A leaky upstream: its errors quote the request, path and appcode included.
      const echo = (path: string, query: Record<string, string>) =>
        JSON.stringify({ error: `bad request ${path}?appcode=${query.appcode}` });
      up.route(pathOf('latest'), async (req, res, n) => {
        if (n % 2 === 0) await new Promise((r) => setTimeout(r, 600));
        if (!res.destroyed)
          res.writeHead(500, { 'content-type': 'application/json' }).end(echo(req.path, req.query));
      });
      up.route(pathOf('history'), async (req, res) => {
        const issue = Number(req.query.issue);
        if (issue === 4) await new Promise((r) => setTimeout(r, 600));
        if (res.destroyed) return;
        res
          .writeHead(issue === 3 ? 403 : 500, { 'content-type': 'application/json' })
          .end(echo(req.path, req.query));
      });
      env = {
        GW_TEST_PATH_SECRET: PATH_SECRET,
        GW_TEST_APPCODE: APPCODE,
        GW_TEST_TOKEN: TOKEN,
        GW_TEST_STORE: locator,
      };
      const store =
        adapter.name === 'sqlite'
          ? "{ sqlite: '${env:GW_TEST_STORE}' }"
          : "{ postgres: '${env:GW_TEST_STORE}' }";
      file = join(tmp.dir, 'gapwarden.config.yaml');
      writeFileSync(
        file,
        `store: ${store}
server: { token: '\${env:GW_TEST_TOKEN}' }
datasets:
  leaky:
    partition: { sequence: { start: 1 } }
    collect: { schedule: '0 0 1 1 *' }
    sources:
      - name: leaky
        type: http
        baseUrl: ${up.url}
        latest: { url: '/gw/\${env:GW_TEST_PATH_SECRET}/latest', query: { appcode: '\${env:GW_TEST_APPCODE}' } }
        byKey:
          url: '/gw/\${env:GW_TEST_PATH_SECRET}/history'
          query: { appcode: '\${env:GW_TEST_APPCODE}', issue: '\${partition}' }
        response: { records: data, key: issue }
        timeoutMs: 300
        retries: 1
        backoff: { initialMs: 1, maxMs: 5 }
    # The circuit never opens here, so every error comes from the upstream and quotes its request.
    breaker: { failureThreshold: 1000 }
    backfill: { maxAttempts: 2, retryInitial: 10ms, retryMax: 20ms, ratePerSecond: 1000 }
  tripped:
    # One failure opens this one's circuit for good: its state change is announced and saved.
    partition: { sequence: { start: 1 } }
    sources:
      - name: tripped
        type: http
        baseUrl: ${up.url}
        latest: { url: '/gw/\${env:GW_TEST_PATH_SECRET}/latest', query: { appcode: '\${env:GW_TEST_APPCODE}' } }
        response: { records: data, key: issue }
        timeoutMs: 300
        retries: 0
    breaker: { failureThreshold: 1, cooldown: 1h }
jobs:
  refill: { kind: backfill, dataset: leaky, schedule: { cron: '0 0 1 1 *' } }
`,
      );
    });
    after(async () => {
      await up.close();
      await adapter.dropDatabase(locator);
      tmp.cleanup();
    });

    it('in logs, the store, the HTTP API, live events and the CLI, while requests fail every way', async () => {
      const lines: string[] = [];
      const config = await loadConfig({ config: file, env });
      const engine: Engine = createEngine({
        config,
        logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
        pollMs: 20,
      });
      await engine.start({ collect: false, backfill: true });
      const app = createApp({ engine, server: config.server, version: '0.0.0-test' });
      const events = await app.request('/api/events');
      const reader = events.body!.getReader();
      let live = '';
      const reading = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          live += new TextDecoder().decode(value);
        }
      })();

      // Collect: a 500 that echoes the request, then a timeout; each recorded as a failed job run.
      for (let i = 0; i < 2; i++) {
        const res = await app.request('/api/jobs/collect:leaky/run', {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        });
        assert.equal(res.status, 202);
        await waitFor(
          async () =>
            (await engine.jobs().history('collect:leaky', { limit: 5 })).filter((r) => r.error).length > i,
          'a failed collect run',
        );
      }
      // A source whose circuit opens: its state change is announced (live events) and saved.
      await assert.rejects(engine.collect('tripped'));
      await waitFor(
        async () => (await engine.store.loadSourceHealth('tripped')).some((h) => h.state === 'open'),
        'the open circuit to be saved',
      );
      // Backfill: a gap of 2..4 answered by a 500 (2), a 403 (3) and a timeout (4).
      await engine.ingest('leaky', [
        { key: '1', partition: 1, payload: {} },
        { key: '5', partition: 5, payload: {} },
      ]);
      await waitFor(async () => {
        const items = await engine.store.countBackfillItems('leaky');
        return items.pending + items.running === 0 && items.failed >= 2;
      }, 'backfill to give up');
      const refill = await engine.jobs().trigger('refill');
      assert.notEqual(refill.state, 'running');

      const api: Record<string, string> = {};
      for (const path of [
        '/api/datasets',
        '/api/datasets/leaky',
        '/api/datasets/leaky/gaps',
        '/api/jobs',
        '/api/jobs/collect:leaky/runs',
        '/api/jobs/refill/runs',
      ]) {
        const res = await app.request(path);
        assert.equal(res.status, 200, path);
        api[path] = await res.text();
      }
      await reader.cancel();
      await reading;
      await engine.stop();

      const stored = adapter.name === 'sqlite' ? await dumpSqlite(locator) : await dumpPostgres(locator);
      const status = await runCli(['status', '--json', '--config', file], { env });
      assert.equal(status.code, 0, status.stderr);
      const history = await runCli(['jobs', 'history', 'collect:leaky', '--json', '--config', file], { env });
      assert.equal(history.code, 0, history.stderr);
      const run = await runCli(['jobs', 'run', 'collect:leaky', '--json', '--config', file], {
        env: { ...env, GAPWARDEN_LOG_LEVEL: 'debug' },
      });
      assert.equal(run.code, 1, 'the run failed');

      const shown: Record<string, string> = {
        'the log': lines.join(''),
        'live events (GET /api/events)': live,
        ...Object.fromEntries(Object.entries(api).map(([path, text]) => [`GET ${path}`, text])),
        ...stored,
        'status --json': status.stdout,
        'status (stderr)': status.stderr,
        'jobs history --json': history.stdout,
        'jobs run --json': run.stdout,
        'jobs run (stderr log)': run.stderr,
      };
      assertNoLeaks(shown);
      // The outputs did carry the failures, masked: the test reached what it checks.
      const masked = (what: string, pattern: RegExp | string) =>
        assert.match(shown[what] ?? '', new RegExp(pattern), `${what} holds masked error text`);
      masked('the log', /source request failed, retrying.*\*\*\*/);
      masked('live events (GET /api/events)', /event: source:state\ndata: .*\*\*\*/);
      masked('GET /api/datasets', maskedField('lastError'));
      masked('GET /api/datasets/leaky', maskedField('lastError'));
      masked('GET /api/jobs', maskedField('error'));
      masked('GET /api/jobs/collect:leaky/runs', maskedField('error'));
      masked('table job_runs', maskedField('error'));
      masked('table source_health', maskedField('last_error'));
      masked('table backfill_items', maskedField('last_error'));
      masked('status --json', maskedField('lastError'));
      masked('jobs history --json', maskedField('error'));
      masked('jobs run --json', maskedField('error'));
      masked('jobs run (stderr log)', /\*\*\*/);
    });
  });
}
