import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../internal/errors.js';
import { compileConfig } from './compile-config.js';

const http = (over: Record<string, unknown> = {}) => ({
  name: 'api',
  type: 'http',
  latest: { url: 'http://127.0.0.1:1/latest' },
  response: { records: 'data', key: 'id' },
  ...over,
});

function issues(input: unknown, env: Record<string, string> = {}) {
  try {
    compileConfig(input, { env, baseDir: '/tmp' });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.issues;
  }
  assert.fail('expected the config to be rejected');
}

describe('compileConfig', () => {
  it('applies every default once', () => {
    const c = compileConfig(
      { datasets: { draws: { partition: { sequence: {} }, sources: [http()] } } },
      { baseDir: '/srv', env: {} },
    );
    const ds = c.datasets[0]!;
    assert.deepEqual(c.store, { kind: 'sqlite', path: '/srv/gapwarden.db' });
    assert.equal(ds.onConflict, 'ignore');
    assert.equal(ds.backfill.concurrency, 4);
    assert.equal(ds.backfill.maxAttempts, 5);
    assert.equal(ds.breaker.cooldownMs, 30_000);
    assert.equal(ds.collect, undefined);
  });

  it('compiles a PostgreSQL store from the environment, and never echoes its URL in an issue', () => {
    const url = 'postgres://gw:s3cret-pw@db.internal:5433/gapwarden';
    const c = compileConfig(
      { store: { postgres: '${env:DATABASE_URL}', schema: 'gw' }, datasets: {} },
      { env: { DATABASE_URL: url }, baseDir: '/srv' },
    );
    assert.deepEqual(c.store, { kind: 'postgres', url, schema: 'gw', poolSize: 10 });

    const both = issues({ store: { sqlite: 'x.db', postgres: url }, datasets: {} });
    assert.deepEqual(
      both.map((i) => i.path),
      ['store'],
    );
    const bad = issues({
      store: { postgres: 'mysql://root:hunter22@db/x', schema: 'Bad-Name' },
      datasets: {},
    });
    assert.deepEqual(bad.map((i) => i.path).sort(), ['store.postgres', 'store.schema']);
    assert.equal(bad.find((i) => i.path === 'store.postgres')?.found, 'a mysql:// URL');
    for (const issue of [...both, ...bad]) assert.doesNotMatch(JSON.stringify(issue), /s3cret-pw|hunter22/);
    const sqliteOnly = issues({ store: { sqlite: 'x.db', poolSize: 4 }, datasets: {} });
    assert.equal(sqliteOnly[0]?.path, 'store.poolSize');
  });

  it('names the field, what was expected and what was found', () => {
    const found = issues({
      datasets: { draws: { partition: { sequence: { step: 'two' } }, onConflict: 'merge' } },
    });
    const step = found.find((i) => i.path === 'datasets.draws.partition.sequence.step');
    assert.ok(step, JSON.stringify(found));
    assert.equal(step.expected, 'number');
    assert.equal(step.found, '"two"');
    const mode = found.find((i) => i.path === 'datasets.draws.onConflict');
    assert.ok(mode);
    assert.match(mode.expected, /"ignore", "update"/);
  });

  it('reports unknown fields with their names', () => {
    const found = issues({ datasets: { d: { partition: { sequence: {} }, colect: {} } } });
    assert.equal(found[0]!.path, 'datasets.d');
    assert.match(found[0]!.found, /colect/);
  });

  it('reads secrets from the environment and reports unset ones by path', () => {
    const cfg = {
      datasets: {
        d: {
          partition: { sequence: {} },
          sources: [http({ sign: { method: 'md5-sorted', secret: '${env:API_KEY}' } })],
        },
      },
    };
    const compiled = compileConfig(cfg, { env: { API_KEY: 's3cret' }, baseDir: '/tmp' });
    const src = compiled.datasets[0]!.sources[0]! as { sign?: { secret: string } };
    assert.equal(src.sign?.secret, 's3cret');
    const found = issues(cfg, {});
    assert.equal(found[0]!.path, 'datasets.d.sources[0].sign.secret');
    assert.match(found[0]!.message, /API_KEY/);
  });

  it('rejects a bad calendar, a bad cron schedule and collect without a source', () => {
    const found = issues({
      datasets: {
        a: { partition: { calendar: { every: '7x' } } },
        b: { partition: { sequence: {} }, collect: { schedule: 'every minute' } },
      },
    });
    const paths = found.map((i) => i.path).sort();
    assert.deepEqual(paths, ['datasets.a.partition', 'datasets.b.collect.schedule', 'datasets.b.sources']);
  });

  it('rejects freshness thresholds in the wrong order', () => {
    const found = issues({
      datasets: { a: { partition: { sequence: {} }, freshness: { warnAfter: '1h', errorAfter: '5m' } } },
    });
    assert.equal(found[0]!.path, 'datasets.a.freshness');
  });
});
