import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { checksModule } from '../../checks/checks-module.js';
import { loadConfig } from '../../config/load-config.js';
import type { StatusReport } from '../../core/status-report.js';
import { DEMO_SECRET_DEFAULT, DEMO_SECRET_ENV, demoConfig, demoConfigFile } from '../../demo/demo-config.js';
import {
  type DemoGateway,
  formatGatewaySummary,
  type GatewaySummary,
  startDemoGateway,
} from '../../demo/demo-gateway.js';
import { type DemoReceiver, startDemoReceiver } from '../../demo/demo-receiver.js';
import { attachDemoReporter } from '../../demo/demo-reporter.js';
import {
  DEMO_PG_SCHEMA,
  DEMO_STORE_ENV,
  type DemoStore,
  displayUrl,
  parseDemoStore,
  resetDemoStore,
} from '../../demo/demo-store.js';
import {
  DEMO_NATS_DEFAULT,
  DEMO_NATS_ENV,
  displayNatsUrl,
  openTelemetryBroker,
  TELEMETRY_HINT,
  type TelemetryBroker,
  type TelemetryFeed,
} from '../../demo/demo-telemetry.js';
import { TELEMETRY_DATASET, TELEMETRY_PIPELINE } from '../../demo/demo-telemetry-config.js';
import { type DrawUpstream, startDrawUpstream } from '../../demo/draw-upstream.js';
import { gatewayHistoryRange } from '../../demo/gateway-traffic.js';
import { TASK_PLATFORM_FILE, writeTaskPlatformDb } from '../../demo/task-platform-db.js';
import { FLAKY_STATIONS, TELEMETRY_STATIONS } from '../../demo/telemetry-fleet.js';
import {
  formatTelemetrySummary,
  summariseTelemetry,
  type TelemetrySummary,
} from '../../demo/telemetry-summary.js';
import { type PayloadCheck, verifyDemoPayloads } from '../../demo/verify-payloads.js';
import { formatDuration, parseDuration } from '../../domain/duration.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { GapwardenError, hasCode } from '../../internal/errors.js';
import { createLogger } from '../../logging/json-logger.js';
import { type HttpServer, startHttpServer } from '../../server/http-server.js';
import { createMetrics, type Metrics } from '../../server/metrics.js';
import { describeStore } from '../../store/create-store.js';
import { logLevel, printJson, runVerb } from '../cli-context.js';
import { formatStatus } from '../format.js';
import { mountDashboard, PACKAGE_VERSION } from '../server-options.js';

interface DemoFlags {
  dir: string;
  for?: string;
  json?: boolean;
  port?: string;
  apiPort?: string;
  store?: string;
  silenceAt?: string;
  silenceFor?: string;
  nats?: string;
}

/** How long the demo waits, after collecting stops, for the backfill queue to drain. */
const DRAIN_MS = 20_000;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run against a simulated, unreliable upstream and watch gaps open and close')
    .option(
      '-d, --dir <dir>',
      'folder for the demo config and SQLite store (reset on each run)',
      './gapwarden-demo',
    )
    .option(
      '--store <postgres-url>',
      `run on this PostgreSQL database instead of SQLite (tables in schema ${DEMO_PG_SCHEMA}, reset on each run)`,
    )
    .option(
      '--for <duration>',
      'stop after this long (e.g. 30s), print the final status, exit 0 only if complete',
    )
    .option('--port <n>', 'port of the simulated upstream (default: any free port)')
    .option(
      '--api-port <n>',
      'port of the HTTP API and dashboard (default 7070, or a free one if taken; 0 = any)',
    )
    .option(
      '--silence-at <duration>',
      'when the upstream goes silent, to show the alerts (default 20s without --for; never with --for unless given)',
    )
    .option('--silence-for <duration>', 'how long it stays silent', '18s')
    .option(
      '--nats <url>',
      `NATS server (with JetStream) for the station-telemetry pipeline (default: $${DEMO_NATS_ENV} or ${DEMO_NATS_DEFAULT}; the pipeline is off when it cannot be reached)`,
    )
    .option('--json', 'print the final status as JSON (with --for)')
    .action((flags: DemoFlags) => runVerb(flags, () => runDemo(flags)));
}

async function runDemo(flags: DemoFlags): Promise<number> {
  const forMs = flags.for === undefined ? undefined : parseDuration(flags.for);
  if (flags.for !== undefined && (forMs === undefined || forMs <= 0)) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `--for expects a duration such as 30s or 2m, found "${flags.for}"`,
    );
  }
  const silence = parseSilence(flags, forMs);
  const store = parseDemoStore(flags.store);
  const dir = resolve(flags.dir);
  mkdirSync(dir, { recursive: true });
  await resetDemoStore(store, dir);
  // The config names the URL as ${env:GAPWARDEN_DEMO_STORE}: it may hold a password.
  if (store.kind === 'postgres') process.env[DEMO_STORE_ENV] = store.url;
  const secret = process.env[DEMO_SECRET_ENV] || DEMO_SECRET_DEFAULT;
  const upstream = await startDrawUpstream({ secret, ...(flags.port ? { port: Number(flags.port) } : {}) });
  const say = (line: string) => {
    if (!flags.json) process.stdout.write(`${line}\n`);
  };
  const receiver = await startDemoReceiver(say);
  const natsUrl = flags.nats || process.env[DEMO_NATS_ENV] || DEMO_NATS_DEFAULT;
  const telemetry = await openTelemetryBroker(natsUrl, dir);
  const broker = 'unavailable' in telemetry ? undefined : telemetry;
  // Without a server the demo runs as before; its summary says why the pipeline is off and how to get it.
  const off: TelemetrySummary = {
    enabled: false,
    nats: displayNatsUrl(natsUrl),
    reason: 'unavailable' in telemetry ? telemetry.unavailable : '',
    hint: TELEMETRY_HINT,
  };
  try {
    return await runAgainst(upstream, receiver, dir, store, flags, forMs, silence, broker ?? off);
  } finally {
    await broker?.close();
    await receiver.close();
    await upstream.close();
  }
}

/** When (after the start) and for how long the upstream goes silent, if it does. */
function parseSilence(
  flags: DemoFlags,
  forMs: number | undefined,
): { atMs: number; forMs: number } | undefined {
  const at = flags.silenceAt ?? (forMs === undefined ? '20s' : undefined);
  if (at === undefined) return undefined;
  const atMs = parseDuration(at);
  const lasts = parseDuration(flags.silenceFor ?? '18s');
  if (atMs === undefined || lasts === undefined || lasts <= 0) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `--silence-at and --silence-for expect durations such as 20s, found "${at}" and "${flags.silenceFor}"`,
    );
  }
  return { atMs, forMs: lasts };
}

/** Makes the upstream silent at `atMs` for `forMs`, telling the terminal; returns what cancels it. */
function scheduleSilence(
  upstream: DrawUpstream,
  silence: { atMs: number; forMs: number },
  say: (line: string) => void,
): () => void {
  const time = () => new Date().toISOString().slice(11, 19);
  const back = () => {
    upstream.setSilent(false);
    say(`${time()}  upstream: the draw service answers again; the alerts resolve`);
  };
  let end: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    upstream.setSilent(true);
    say(
      `${time()}  upstream: the draw service goes silent for ${formatDuration(silence.forMs)} (every call answers 503): watch the P0 fire and escalate`,
    );
    end = setTimeout(back, silence.forMs);
  }, silence.atMs);
  return () => {
    clearTimeout(start);
    if (end) clearTimeout(end);
    upstream.setSilent(false);
  };
}

async function runAgainst(
  upstream: DrawUpstream,
  receiver: DemoReceiver,
  dir: string,
  store: DemoStore,
  flags: DemoFlags,
  forMs: number | undefined,
  silence: { atMs: number; forMs: number } | undefined,
  telemetryBroker: TelemetryBroker | TelemetrySummary,
): Promise<number> {
  const file = join(dir, 'gapwarden.config.ts');
  const broker = 'topics' in telemetryBroker ? telemetryBroker : undefined;
  // The fleet's first second: the sink dataset's calendar starts at its minute, so no gap precedes it.
  const firstSlot = Math.floor(Date.now() / 1000) * 1000;
  const platform = writeTaskPlatformDb(dir, Date.now());
  const apiPort = flags.apiPort === undefined ? DEFAULT_API_PORT : Number(flags.apiPort);
  const token = randomBytes(18).toString('base64url');
  writeFileSync(
    file,
    demoConfigFile(
      demoConfig({
        upstreamUrl: upstream.url,
        firstPeriod: upstream.firstPeriod,
        dailyStart: upstream.dailyDates()[0]!,
        apiPort,
        token,
        store: store.kind,
        receiverUrl: receiver.url,
        gatewayStart: new Date(gatewayHistoryRange(Date.now()).from).toISOString(),
        ...(broker
          ? {
              telemetry: {
                server: natsServerForConfig(broker.url),
                topics: broker.topics,
                start: new Date(Math.floor(firstSlot / 60_000) * 60_000).toISOString(),
              },
            }
          : {}),
      }),
    ),
  );
  const config = await loadConfig({ config: file });
  const engine = createEngine({ config, logger: createLogger(logLevel(config.log.level)) });
  const say = (line: string) => {
    if (!flags.json) process.stdout.write(`${line}\n`);
  };
  const detach = attachDemoReporter(engine, say);
  const shown = relative(process.cwd(), dir) || '.';
  say(
    `gapwarden demo: simulated upstream at ${upstream.url} (a draw every 2 s; ~10% of periods skipped by its latest endpoint, ~5% of calls fail, some are slow)`,
  );
  if (store.kind === 'sqlite') {
    say(`config and store in ${shown}/ — in another terminal: npx gapwarden status --dir ${shown}`);
  } else {
    say(
      `config in ${shown}/, store ${describeStore(config.store)}; the config reads its URL from ${DEMO_STORE_ENV}`,
    );
    const hint = `in another terminal: export ${DEMO_STORE_ENV}='${displayUrl(store.url)}'${store.url === displayUrl(store.url) ? '' : ' (with the password in place of ***)'}; npx gapwarden status --dir ${shown}`;
    if (flags.json) process.stderr.write(`${hint}\n`);
    say(hint);
  }
  say(
    `alerts: the draw-collector plan (P0/P1/P2) goes to a local webhook receiver at ${receiver.url}, which prints what it gets; later: npx gapwarden alerts history --dir ${shown}`,
  );
  say(
    `checks: the task-platform team's database is ${shown}/${TASK_PLATFORM_FILE} (${platform.tasks} tasks, ${platform.missing} SUCCESS tasks without their output); later: npx gapwarden check run task-outputs --dir ${shown}`,
  );
  if (broker) {
    say(
      `telemetry: ${TELEMETRY_STATIONS.length} stations publish a power sample every second to NATS JetStream at ${displayNatsUrl(broker.url)} (subject ${broker.topics.telemetry}, calibration on ${broker.topics.config}; ${Object.keys(FLAKY_STATIONS).join(', ')} drop about a quarter of theirs); pipeline ${TELEMETRY_PIPELINE} fills the drops linearly over 5-second windows, flags anomalies, reports each second's batch with its availability and stores ${TELEMETRY_DATASET}; later: npx gapwarden streams --dir ${shown}`,
    );
  } else if (!('topics' in telemetryBroker)) {
    const line = formatTelemetrySummary(telemetryBroker)[0]!;
    if (flags.json) process.stderr.write(`${line}\n`);
    say(line);
  }
  say(forMs ? `running for ${flags.for}...` : 'press Ctrl+C to stop');
  let report: StatusReport;
  let payloads: PayloadCheck[];
  let gateway: GatewaySummary;
  let gatewayFeed: DemoGateway | undefined;
  let telemetryFeed: TelemetryFeed | undefined;
  let telemetry = broker ? undefined : (telemetryBroker as TelemetrySummary);
  let http: HttpServer | undefined;
  let cancelSilence = () => {};
  try {
    // Made before start, so the counters include what starting does (catch-up runs, ...).
    const metrics = createMetrics({ engine });
    telemetryFeed = broker?.startFeed(firstSlot, () => engine.clock.now());
    await engine.start({ collect: true, backfill: true });
    gatewayFeed = await startDemoGateway(engine, say);
    // One run now, so the Checks page has a score before the first scheduled run (every 15 minutes).
    const firstCheck = await engine
      .module(checksModule)
      .run('task-outputs', { profile: 'full', trigger: 'manual' });
    say(
      `check task-outputs: ${firstCheck.status}${firstCheck.level ? `, level ${firstCheck.level}` : ''}, score ${firstCheck.score?.toFixed(2) ?? '-'}%, ${firstCheck.findings} findings${firstCheck.error ? ` (${firstCheck.error})` : ''}`,
    );
    if (silence) cancelSilence = scheduleSilence(upstream, silence, say);
    http = await startDemoServer(engine, metrics, flags.apiPort === undefined);
    const dashboard = `${http.url}/#token=${config.server.token ?? ''}`;
    if (flags.json) process.stderr.write(`dashboard: ${dashboard}\n`);
    say(`dashboard: ${dashboard}`);
    say(
      `API: ${http.url}/openapi.json (state-changing calls need: Authorization: Bearer ${config.server.token})`,
    );
    await untilStopped(forMs);
    cancelSilence();
    say('stopping collectors; letting backfill finish...');
    await telemetryFeed?.stop();
    await engine.stopCollectors();
    await drain(engine);
    report = await engine.status();
    if (broker && telemetryFeed) telemetry = await summariseTelemetry(engine, broker, telemetryFeed);
    payloads = await verifyDemoPayloads(engine, upstream);
    gateway = await gatewayFeed.finish();
  } finally {
    cancelSilence();
    await telemetryFeed?.stop();
    await gatewayFeed?.stop();
    detach();
    await http?.close();
    await engine.stop();
  }

  const complete =
    report.datasets.every((d) => d.openGaps === 0) && payloads.every((p) => p.mismatched.length === 0);
  if (flags.json) {
    printJson({
      ok: complete,
      status: report,
      payloads,
      upstream: upstream.hits,
      alerts: { received: receiver.received },
      gateway,
      telemetry,
    });
  } else {
    say('');
    say(formatStatus(report));
    for (const line of formatGatewaySummary(gateway)) say(line);
    if (telemetry) for (const line of formatTelemetrySummary(telemetry)) say(line);
    for (const p of payloads)
      say(
        `${p.dataset}: ${p.checked} stored payload(s) compared with the upstream, ${p.mismatched.length} differ`,
      );
    say(
      complete
        ? 'complete: every dataset has zero open gaps and matches the upstream'
        : 'INCOMPLETE: see above',
    );
  }
  return complete ? 0 : 1;
}

const DEFAULT_API_PORT = 7070;

/** The NATS server as the config names it: a URL with credentials is read from the environment instead. */
function natsServerForConfig(url: string): string {
  if (displayNatsUrl(url) === url) return url;
  process.env[DEMO_NATS_ENV] = url;
  return `\${env:${DEMO_NATS_ENV}}`;
}

/** Serves the API and dashboard; on the default port, falls back to a free one when it is taken. */
async function startDemoServer(engine: Engine, metrics: Metrics, fallback: boolean): Promise<HttpServer> {
  const options = {
    engine,
    server: engine.config.server,
    version: PACKAGE_VERSION,
    dashboard: mountDashboard,
    metrics,
  };
  try {
    return await startHttpServer(options);
  } catch (err) {
    if (!fallback || !hasCode(err, 'CONFIG_INVALID')) throw err;
    return startHttpServer({ ...options, port: 0 });
  }
}

/** Resolves after `forMs`, or on SIGINT/SIGTERM when running without a bound. */
function untilStopped(forMs: number | undefined): Promise<void> {
  return new Promise<void>((done) => {
    const timer = forMs ? setTimeout(done, forMs) : undefined;
    const stop = () => {
      if (timer) clearTimeout(timer);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Waits until no dataset has open gaps or queued backfills, or DRAIN_MS passes. */
async function drain(engine: Engine): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    const report = await engine.status();
    if (report.datasets.every((d) => d.openGaps === 0 && d.backfill.pending + d.backfill.running === 0))
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
