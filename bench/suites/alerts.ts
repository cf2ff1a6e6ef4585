import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoredAlert } from '../../src/alerts/alert-model.js';
import { alertsModule } from '../../src/alerts/alerts-module.js';
import { notificationDraft } from '../../src/alerts/notification-payload.js';
import { createNotifier } from '../../src/alerts/notifiers/create-notifier.js';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine } from '../../src/engine/engine.js';
import { systemClock } from '../../src/internal/clock.js';
import { silentLogger } from '../../src/internal/logger.js';
import { sqliteStoreFiles } from '../../src/store/sqlite/sqlite-store-file.js';
import { type Figure, median, percentile, type SuiteResult, suite } from '../lib/report.js';

const FIRES = 200;
const DRAIN = 10_000;
const CONCURRENCY = 32;
const ROUNDS = 2;
const ADMIN_URL = process.env.GAPWARDEN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A local receiver that notes when each request arrived and answers 200 at once. */
async function startReceiver() {
  const arrivals: { at: number; body: string }[] = [];
  let onArrival: ((a: { at: number; body: string }) => void) | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = { at: performance.now(), body: Buffer.concat(chunks).toString('utf8') };
      arrivals.push(a);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      onArrival?.(a);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    next: () => new Promise<{ at: number; body: string }>((resolve) => (onArrival = resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const tmpFile = (name: string) => join(tmpdir(), `gapwarden-bench-alerts-${name}-${process.pid}.db`);
const removeSqlite = (file: string) => {
  for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });
};

/** From the `gap:opened` event that fires a P0 (group wait 0) to its first delivery attempt arriving. */
async function fireToDelivery(receiverUrl: string, receiver: Awaited<ReturnType<typeof startReceiver>>) {
  const file = tmpFile('fire');
  const config = compileConfig(
    {
      store: { sqlite: file },
      server: { enabled: false },
      datasets: { draws: { partition: { sequence: { start: 0 } } } },
      alerts: {
        receivers: { hook: { channel: 'webhook', url: receiverUrl } },
        rules: { 'gap-large': { severity: 'P0', gap: { minPartitions: 1 } } },
        // Only the events drive it: the latency measured is the event path's.
        evaluateEvery: '1h',
      },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.start({ collect: true, backfill: false });
  let openedAt = 0;
  engine.events.on('gap:opened', () => {
    openedAt = performance.now();
  });
  const rec = (p: number) => ({ key: String(p), partition: p, payload: { p } });
  await engine.ingest('draws', [rec(0)]);
  const latencies: number[] = [];
  let firstBody = '';
  for (let i = 0; i < FIRES; i++) {
    const base = i * 3;
    const fired = receiver.next();
    await engine.ingest('draws', [rec(base + 3)]);
    const arrival = await fired;
    latencies.push(arrival.at - openedAt);
    firstBody ||= arrival.body;
    // Filled: the alert resolves (its notice arrives) before the next one opens.
    const resolved = receiver.next();
    await engine.ingest('draws', [rec(base + 1), rec(base + 2)]);
    await resolved;
  }
  await engine.stop();
  removeSqlite(file);
  return { latencies, body: firstBody };
}

/** The same body posted directly, one at a time: send to arrival. */
async function directPosts(url: string, body: string, receiver: Awaited<ReturnType<typeof startReceiver>>) {
  const out: number[] = [];
  for (let i = 0; i < FIRES; i++) {
    const arrived = receiver.next();
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    out.push((await arrived).at - t0);
  }
  return out;
}

function sampleAlert(i: number): StoredAlert {
  const now = Date.now();
  return {
    id: i + 1,
    fingerprint: `f${i}`,
    rule: 'gap-large',
    kind: 'gap',
    severity: 'P0',
    baseSeverity: 'P0',
    state: 'firing',
    labels: { dataset: 'draws', rule: 'gap-large', kind: 'gap' },
    summary: `draws: 14 partitions missing (${3000 + i}–${3013 + i})`,
    tried: 'backfill: 14 queued, 4 being fetched',
    value: 14,
    instance: String(3000 + i),
    occurrences: 1,
    startsAt: now,
    firedAt: now,
    lastSeenAt: now,
    endsAt: null,
    tier: 0,
    notifyAt: null,
    lastNotifiedAt: null,
    ackedAt: null,
    ackedBy: null,
    ackComment: null,
    version: 1,
    updatedAt: now,
  };
}

const drafts = (round: string) =>
  Array.from({ length: DRAIN }, (_, i) => ({
    ...notificationDraft({
      kind: 'firing',
      receiver: 'hook',
      group: { key: `${round}:${i}`, labels: { dataset: 'draws' } },
      alerts: [sampleAlert(i)],
      versions: [i + 1_000_000 * Number(round.length)],
      tier: 0,
      language: 'en',
      dashboardUrl: 'http://127.0.0.1:7070',
      nowMs: Date.now(),
    }),
    idempotencyKey: `bench-${round}-${i}`,
    alertIds: [],
  }));

/** 10,000 queued notifications drained by one process's outbox worker: deliveries per second. */
async function drainOutbox(
  store: { sqlite: string } | { postgres: string },
  receiverUrl: string,
  round: string,
) {
  const config = compileConfig(
    {
      store,
      server: { enabled: false },
      datasets: { d: { partition: { sequence: { start: 0 } } } },
      alerts: {
        receivers: { hook: { channel: 'webhook', url: receiverUrl } },
        delivery: { concurrency: CONCURRENCY },
      },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  const alerts = engine.module(alertsModule);
  const all = drafts(round);
  for (let i = 0; i < all.length; i += 1000)
    await alerts.store.enqueueNotifications(all.slice(i, i + 1000), Date.now());
  let delivered = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  engine.events.on('alert:delivery', (e) => {
    if (e.outcome === 'delivered' && ++delivered === DRAIN) done();
  });
  const t0 = performance.now();
  alerts.worker.start();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await engine.stop();
  return DRAIN / seconds;
}

/** The same posts through the webhook channel without the outbox, the same number in flight. */
async function postsWithoutOutbox(receiverUrl: string) {
  const receiver = compileConfig(
    {
      datasets: {},
      alerts: { receivers: { hook: { channel: 'webhook', url: receiverUrl } } },
    },
    { env: {} },
  ).alerts.receivers[0]!;
  const notifier = createNotifier(receiver, { clock: systemClock, logger: silentLogger });
  const payloads = drafts('direct').map((d) => d.payload);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < payloads.length) {
        const outcome = await notifier.send(payloads[next++]!, AbortSignal.timeout(10_000));
        if (!outcome.ok) throw new Error(`a direct post failed: ${outcome.error}`);
      }
    }),
  );
  return DRAIN / ((performance.now() - t0) / 1000);
}

async function withPostgres<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `gapwarden_bench_alerts_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function runAlertsBench(): Promise<SuiteResult> {
  const receiver = await startReceiver();
  const fire = await fireToDelivery(receiver.url, receiver);
  const direct = await directPosts(receiver.url, fire.body, receiver);

  const sqlite: number[] = [];
  const postgres: number[] = [];
  const plain: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Rotating order: the machine is shared and noisy.
    const sides = [
      async () => {
        const file = tmpFile(`drain-${r}`);
        sqlite.push(await drainOutbox({ sqlite: file }, receiver.url, `s${r}`));
        removeSqlite(file);
      },
      async () =>
        postgres.push(await withPostgres((url) => drainOutbox({ postgres: url }, receiver.url, `p${r}`))),
      async () => plain.push(await postsWithoutOutbox(receiver.url)),
    ];
    for (let i = 0; i < sides.length; i++) await sides[(i + r) % sides.length]!();
  }
  await receiver.close();

  const p50 = median(fire.latencies);
  const p99 = percentile(fire.latencies, 99);
  const direct50 = median(direct);
  const direct99 = percentile(direct, 99);
  const figures: Figure[] = [
    {
      name: 'P0 fire to first delivery attempt p50',
      value: p50,
      unit: 'ms',
      baseline: { name: 'a direct HTTP post of the same payload (p50)', value: direct50 },
      ratio: p50 / direct50,
    },
    {
      name: 'P0 fire to first delivery attempt p99',
      value: p99,
      unit: 'ms',
      baseline: { name: 'a direct HTTP post of the same payload (p99)', value: direct99 },
      ratio: p99 / direct99,
      target: '< 200 ms (group wait 0)',
      met: p99 < 200,
    },
    {
      name: 'outbox drain, SQLite',
      value: median(sqlite),
      unit: 'deliveries/s',
      baseline: { name: 'the same posts without the outbox', value: median(plain) },
      ratio: median(sqlite) / median(plain),
      target: '>= 2,000/s',
      met: median(sqlite) >= 2000,
    },
    {
      name: 'outbox drain, PostgreSQL',
      value: median(postgres),
      unit: 'deliveries/s',
      baseline: { name: 'the same posts without the outbox', value: median(plain) },
      ratio: median(postgres) / median(plain),
      target: '>= 2,000/s',
      met: median(postgres) >= 2000,
    },
  ];
  return suite('alerts', figures, [
    `${FIRES} P0 alerts, one at a time: a gap opened by ingest, evaluated on the event (evaluateEvery 1h), written with its notification in one transaction, claimed and posted by the outbox worker to a local webhook receiver; each resolved before the next; SQLite file store (durability full)`,
    `fire latency: max ${Math.max(...fire.latencies).toFixed(1)} ms; direct post max ${Math.max(...direct).toFixed(1)} ms`,
    `outbox drain: ${DRAIN} queued notifications, one process, ${CONCURRENCY} in flight, claims in batches, attempts recorded in batches; rounds SQLite ${sqlite.map((v) => Math.round(v)).join(', ')}, PostgreSQL ${postgres.map((v) => Math.round(v)).join(', ')}, without outbox ${plain.map((v) => Math.round(v)).join(', ')}`,
    'the receiver runs in the same process as gapwarden and answers 200 at once (both share the 2 cores)',
  ]);
}
