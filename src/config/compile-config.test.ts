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
    assert.deepEqual(c.store, { kind: 'sqlite', path: '/srv/gapwarden.db', durability: 'full' });
    assert.equal(ds.onConflict, 'ignore');
    assert.equal(ds.backfill.concurrency, 4);
    assert.equal(ds.backfill.maxAttempts, 5);
    assert.equal(ds.backfill.rangeSize, 100);
    assert.equal(ds.breaker.cooldownMs, 30_000);
    assert.equal(ds.collect, undefined);
  });

  it('compiles the horizon: partitions for sequences, a duration ahead of now for calendars, false for none', () => {
    const c = compileConfig(
      {
        datasets: {
          seq: { partition: { sequence: { start: 1 } } },
          narrow: { partition: { sequence: { start: 1, horizon: 500 } } },
          open: { partition: { sequence: { horizon: false } } },
          daily: { partition: { calendar: { every: '1d' } } },
          weekly: { partition: { calendar: { every: '7d', horizon: '14d' } } },
        },
      },
      { baseDir: '/srv', env: {} },
    );
    assert.deepEqual(
      c.datasets.map((d) => d.horizon),
      [
        { kind: 'partitions', count: 50_000 },
        { kind: 'partitions', count: 500 },
        undefined,
        { kind: 'time', ms: 2 * 86_400_000, text: '2d' },
        { kind: 'time', ms: 14 * 86_400_000, text: '14d' },
      ],
    );
    assert.equal(
      c.datasets[1]?.partitioning.toOrdinal(1),
      0,
      'the horizon is not part of the partition layout',
    );
    const bad = issues({ datasets: { d: { partition: { sequence: { horizon: '2d' } } } } });
    assert.equal(bad[0]?.path, 'datasets.d.partition.sequence.horizon');
  });

  it('compiles backfill.maxQueued, accepting its former name maxPartitionsPerGap but not both', () => {
    const queued = (backfill: Record<string, unknown>) =>
      compileConfig(
        { datasets: { d: { partition: { sequence: {} }, backfill } } },
        { baseDir: '/srv', env: {} },
      ).datasets[0]?.backfill.maxQueued;
    assert.equal(queued({}), 10_000);
    assert.equal(queued({ maxQueued: 5 }), 5);
    assert.equal(queued({ maxPartitionsPerGap: 7 }), 7);
    const both = issues({
      datasets: { d: { partition: { sequence: {} }, backfill: { maxQueued: 5, maxPartitionsPerGap: 7 } } },
    });
    assert.equal(both[0]?.path, 'datasets.d.backfill.maxPartitionsPerGap');
  });

  it('compiles store.durability for SQLite and refuses it for PostgreSQL, naming what PostgreSQL uses', () => {
    const c = compileConfig({ store: { durability: 'normal' }, datasets: {} }, { baseDir: '/srv', env: {} });
    assert.deepEqual(c.store, { kind: 'sqlite', path: '/srv/gapwarden.db', durability: 'normal' });
    const pg = issues({ store: { postgres: 'postgres://127.0.0.1/gw', durability: 'full' }, datasets: {} });
    assert.equal(pg[0]?.path, 'store.durability');
    assert.match(pg[0]?.message ?? '', /synchronous_commit/);
    assert.equal(issues({ store: { durability: 'fast' }, datasets: {} })[0]?.path, 'store.durability');
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

  it('keeps every value taken from the environment as a secret, except host, level and paths', () => {
    const c = compileConfig(
      {
        store: { postgres: '${env:DB}' },
        server: { host: '${env:HOST}', token: '${env:TOKEN}' },
        log: { level: '${env:LEVEL}' },
        datasets: {
          draws: {
            partition: { sequence: {} },
            sources: [
              http({
                latest: {
                  url: 'http://127.0.0.1:1/${env:PATH_KEY}/latest',
                  query: { appcode: '${env:APPCODE}', region: '${env:REGION:-eu-west}' },
                },
              }),
            ],
          },
        },
      },
      {
        baseDir: '/tmp',
        env: {
          DB: 'postgres://gw:pw%2Fsecret@db:5432/gw',
          HOST: '0.0.0.0',
          TOKEN: 'token-0123456789abcdef',
          LEVEL: 'warn',
          PATH_KEY: 'path-key-1',
          APPCODE: 'appcode-2',
        },
      },
    );
    assert.deepEqual([...c.secrets.values()].sort(), [
      'appcode-2',
      'path-key-1',
      'postgres://gw:pw%2Fsecret@db:5432/gw',
      'pw%2Fsecret',
      'pw/secret',
      'token-0123456789abcdef',
    ]);
  });

  it('masks secrets in the issues of an invalid config', () => {
    const found = issues(
      { server: { token: '${env:TOKEN}' }, datasets: { d: { partition: { sequence: {} } } } },
      { TOKEN: 'short-s3cret' },
    );
    assert.equal(found[0]?.path, 'server.token');
    assert.ok(!JSON.stringify(found).includes('short-s3cret'), JSON.stringify(found));
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

  it('lists mistakes of every kind at once: schema, unknown field, time zone, cron, dataset name', () => {
    const found = issues({
      datasets: {
        draws: { partition: { sequence: {} }, backfill: { concurrency: 'four' } },
        extra: { partition: { sequence: {} }, colect: { schedule: '* * * * *' } },
        daily: { partition: { calendar: { every: '1d', timezone: 'Mars/Olympus_Mons' } } },
        'bad name!': { partition: { sequence: {} } },
      },
      jobs: { nightly: { kind: 'check', schedule: { cron: '0 2 * *' } } },
    });
    const at = (path: string) => {
      const issue = found.find((i) => i.path === path);
      assert.ok(issue, `an issue at ${path} in ${JSON.stringify(found, null, 1)}`);
      return issue;
    };
    assert.equal(found.length, 5, JSON.stringify(found, null, 1));
    assert.equal(at('datasets.draws.backfill.concurrency').found, '"four"');
    assert.match(at('datasets.extra').message, /unknown field colect/);
    assert.match(at('datasets.daily.partition').message, /Mars\/Olympus_Mons/);
    assert.match(at('jobs.nightly.schedule.cron').message, /has 4 fields.*5 fields.*6/);
    const name = at('datasets.bad name!');
    assert.match(name.message, /letters, digits, _ or -/);
    assert.doesNotMatch(name.message, /Invalid key in record/);
    assert.equal(name.found, '"bad name!"');
  });

  it('reports a compile-time problem once even when a job names the dataset that has it', () => {
    const found = issues({
      datasets: { daily: { partition: { calendar: { every: '1d', timezone: 'Nowhere/Land' } } } },
      jobs: { sweep: { kind: 'backfill', dataset: 'daily', schedule: { every: '1h' } } },
      log: { level: 'loud' },
    });
    assert.deepEqual(found.map((i) => i.path).sort(), ['datasets.daily.partition', 'log.level']);
  });

  it('says how many cron fields it accepts, as the docs do: 5, or 6 with seconds', () => {
    for (const schedule of ['1 2 3', '0 0 0 1 1 * 2030']) {
      const [issue] = issues({
        datasets: { d: { partition: { sequence: {} }, collect: { schedule }, sources: [http()] } },
      });
      assert.equal(issue?.path, 'datasets.d.collect.schedule');
      assert.match(issue!.message, /5 fields .*, 6 with seconds first/);
      assert.doesNotMatch(issue!.message, /seven/);
    }
  });

  it('refuses a source name that a store cannot hold', () => {
    const [issue] = issues({
      datasets: { d: { partition: { sequence: {} }, sources: [http({ name: 'a\u0000b' })] } },
    });
    assert.equal(issue?.path, 'datasets.d.sources[0].name');
    assert.match(issue!.message, /U\+0000/);
  });

  it('refuses a time placeholder in a sequence dataset request at startup, naming what a sequence has', () => {
    const found = issues({
      datasets: {
        draws: {
          partition: { sequence: { start: 1 } },
          sources: [
            http({
              byKey: { url: 'http://127.0.0.1:1/history', query: { day: '${date}', issue: '${partition}' } },
              byRange: { url: 'http://127.0.0.1:1/range/${from.iso}', query: { to: '${to}' } },
            }),
          ],
        },
        // A calendar has every partition placeholder.
        daily: {
          partition: { calendar: { every: '1d' } },
          sources: [
            http({ byKey: { url: 'http://127.0.0.1:1/day', query: { d: '${date}', t: '${unix}' } } }),
          ],
        },
      },
    });
    assert.deepEqual(
      found.map((i) => [i.path, i.found]),
      [
        ['datasets.draws.sources[0].byKey.query.day', '${date}'],
        ['datasets.draws.sources[0].byRange.url', '${from.iso}'],
      ],
    );
    assert.match(found[0]!.message, /a sequence partition is a number: use \$\{partition\}/);
  });

  it('rejects freshness thresholds in the wrong order', () => {
    const found = issues({
      datasets: { a: { partition: { sequence: {} }, freshness: { warnAfter: '1h', errorAfter: '5m' } } },
    });
    assert.equal(found[0]!.path, 'datasets.a.freshness');
  });

  it("pins a collect job to one of its dataset's sources, and refuses a source the dataset has not", () => {
    const sources = [http({ name: 'primary' }), http({ name: 'mirror' })];
    const c = compileConfig(
      {
        datasets: {
          d: { partition: { sequence: {} }, sources, collect: { schedule: '* * * * *', source: 'mirror' } },
        },
        jobs: {
          'from-primary': { kind: 'collect', dataset: 'd', source: 'primary', schedule: { every: '1h' } },
          'any-source': { kind: 'collect', dataset: 'd', schedule: { every: '1h' } },
        },
      },
      { env: {}, baseDir: '/tmp' },
    );
    const source = (id: string) => c.jobs.find((j) => j.id === id)?.source;
    assert.equal(source('collect:d'), 'mirror');
    assert.equal(source('from-primary'), 'primary');
    assert.equal(source('any-source'), undefined);

    const found = issues({
      datasets: {
        d: { partition: { sequence: {} }, sources, collect: { schedule: '* * * * *', source: 'mirrror' } },
      },
      jobs: {
        typo: { kind: 'collect', dataset: 'd', source: 'secondary', schedule: { every: '1h' } },
        check: { kind: 'check', dataset: 'd', source: 'primary', schedule: { every: '1h' } },
      },
    });
    const at = (path: string) => {
      const issue = found.find((i) => i.path === path);
      assert.ok(issue, `an issue at ${path} in ${JSON.stringify(found, null, 1)}`);
      return issue;
    };
    assert.equal(found.length, 3, JSON.stringify(found, null, 1));
    assert.equal(
      at('datasets.d.collect.source').expected,
      'one of the sources of dataset "d": primary, mirror',
    );
    assert.equal(at('datasets.d.collect.source').found, '"mirrror"');
    assert.equal(at('jobs.typo.source').found, '"secondary"');
    assert.match(at('jobs.typo.source').expected, /primary, mirror/);
    assert.match(at('jobs.check.source').message, /only a collect job/);
  });

  it('refuses to pin a collect job to a source without a latest request', () => {
    const [issue] = issues({
      datasets: {
        d: {
          partition: { sequence: {} },
          sources: [
            http({ name: 'primary' }),
            http({ name: 'archive', latest: undefined, byKey: { url: 'http://127.0.0.1:1/h' } }),
          ],
          collect: { schedule: '* * * * *', source: 'archive' },
        },
      },
    });
    assert.equal(issue?.path, 'datasets.d.collect.source');
    assert.match(issue!.message, /archive.*no `latest`/);
  });
});
