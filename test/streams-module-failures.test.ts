// A module that throws is visible: `gapwarden serve` logs each failure (warn, with pipeline, module,
// key and error), counts it in gapwarden_stream_module_failures_total, and `gapwarden streams` (text
// and --json) and GET /api/streams show the failures of the last hour — on Redis and NATS.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStreamClient } from '../src/streams/clients/create-stream-client.js';
import type { StreamClient } from '../src/streams/clients/stream-client.js';
import { exited, runCli, spawnCli } from './helpers/cli.js';
import { freePort } from './helpers/free-port.js';
import { STREAM_SERVERS, type StreamServer, uniqueTopic } from './helpers/stream-servers.js';
import { tempDir } from './helpers/temp-dir.js';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3_600_000) / MIN) * MIN;
const MESSAGES = 40; // n = 0..39 on keys K0, K1: the module throws for every n divisible by 10

function clientConfig(server: StreamServer): string {
  const s = server.spec;
  if (s.engine === 'nats') return `{ nats: { servers: ${JSON.stringify(s.servers)} } }`;
  if (s.engine === 'redis') return `{ redis: { url: ${JSON.stringify(s.url)} } }`;
  return `{ kafka: { brokers: ${JSON.stringify(s.brokers)} } }`;
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const server of STREAM_SERVERS) {
  describe(`streams module failures on ${server.name}`, { skip: server.skip, timeout: 180_000 }, () => {
    let tmp: ReturnType<typeof tempDir>;
    let publisher: StreamClient;
    let child: ReturnType<typeof spawnCli> | undefined;
    before(async () => {
      tmp = tempDir();
      publisher = await createStreamClient(server.spec);
    });
    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
      await publisher.close();
      tmp.cleanup();
    });

    it('logs, counts and shows each failure of a module', async () => {
      const topic = uniqueTopic('gw.fail');
      await publisher.ensureTopic(topic);
      const config = join(tmp.dir, 'gapwarden.config.ts');
      writeFileSync(
        config,
        `export default {
  store: { sqlite: 'store.db' },
  log: { level: 'info' },
  datasets: {},
  streams: {
    clients: { local: ${clientConfig(server)} },
    pipelines: {
      checked: {
        client: 'local',
        topics: [${JSON.stringify(topic)}],
        keyBy: 'k',
        cadence: '1m',
        window: { samples: 1, quietClose: '1s' },
        modules: {
          parse: {
            run: ({ window }) => {
              const n = window.topics[${JSON.stringify(topic)}].samples[0].n;
              if (n % 10 === 0) throw new Error('cannot parse reading ' + n);
              return n;
            },
          },
        },
        commit: { messages: 10, interval: '500ms' },
      },
    },
  },
};
`,
      );
      const port = await freePort();
      // The test runner silences child logs (GAPWARDEN_LOG_LEVEL=silent); this test reads them.
      child = spawnCli(['serve', '--config', config, '--port', String(port)], {
        GAPWARDEN_LOG_LEVEL: 'info',
      });
      const url = `http://127.0.0.1:${port}`;
      await until(
        'serve to answer',
        async () =>
          (await fetch(`${url}/api/streams`)).ok && child?.output().includes('stream pipeline started'),
        60_000,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${child?.output()}`);
      });
      await publisher.publish(
        topic,
        Array.from({ length: MESSAGES }, (_, n) => ({
          body: { k: `K${n % 2}`, time: T0 + Math.floor(n / 2) * MIN, n },
        })),
      );

      // The log: one warning per failure, naming pipeline, module, key and the error.
      const lines = await until(
        'four failures in the log',
        async () => {
          const found = (child?.output() ?? '').split('\n').filter((l) => l.includes('stream module failed'));
          return found.length >= 4 && found;
        },
        60_000,
      );
      assert.equal(lines.length, 4, lines.join('\n'));
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const l of logged) {
        assert.equal(l.pipeline, 'checked');
        assert.equal(l.module, 'parse');
        assert.equal(l.level === 40 || l.level === 'warn', true, `a warning: ${JSON.stringify(l)}`);
        assert.match(String(l.error), /^cannot parse reading \d*0$/);
      }
      assert.deepEqual(logged.map((l) => l.key).sort(), ['K0', 'K0', 'K0', 'K0']);

      // The metric, per pipeline and module.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(
        metrics,
        /gapwarden_stream_module_failures_total\{pipeline="checked",module="parse"\} 4\n/,
        metrics
          .split('\n')
          .filter((l) => l.includes('stream'))
          .join('\n'),
      );

      // The status route and the CLI, from the store (after the failures are committed).
      const api = await until(
        'the route to show the failures',
        async () => {
          const body = (await (await fetch(`${url}/api/streams`)).json()) as {
            pipelines: { name: string; moduleFailuresLastHour: number }[];
          };
          return body.pipelines[0]?.moduleFailuresLastHour === 4 && body;
        },
        30_000,
      );
      assert.equal(api.pipelines[0]?.name, 'checked');
      const json = await runCli(['streams', '--json', '--config', config]);
      assert.equal(json.code, 0, json.stderr);
      const status = JSON.parse(json.stdout) as { pipelines: { moduleFailuresLastHour: number }[] };
      assert.equal(status.pipelines[0]?.moduleFailuresLastHour, 4);
      const text = await runCli(['streams', '--config', config]);
      assert.equal(text.code, 0, text.stderr);
      const [header, row] = text.stdout.split('\n');
      assert.match(header ?? '', /FAILED 1H\s*$/);
      assert.match(row ?? '', /\s4\s*$/, text.stdout);
    });
  });
}
