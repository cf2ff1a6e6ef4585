import type { GapwardenConfig } from '../config/config-schema.js';
import { DEMO_PG_SCHEMA, DEMO_STORE_ENV } from './demo-store.js';
import { type DemoTelemetryOptions, demoTelemetry } from './demo-telemetry-config.js';
import { GATEWAY_DATASET, GATEWAY_ROLLUP } from './gateway-traffic.js';
import { TASK_PLATFORM_FILE } from './task-platform-db.js';

/** Name of the environment variable holding the demo upstream's signing secret. */
export const DEMO_SECRET_ENV = 'GAPWARDEN_DEMO_SECRET';
export const DEMO_SECRET_DEFAULT = 'demo-secret';

/** Name of the environment variable that overrides the demo's API token. */
export const DEMO_TOKEN_ENV = 'GAPWARDEN_TOKEN';

export interface DemoConfigOptions {
  upstreamUrl: string;
  firstPeriod: number;
  dailyStart: string;
  /** Port of the HTTP API and dashboard. */
  apiPort: number;
  /** Token guarding state-changing calls; written as the fallback of `${env:GAPWARDEN_TOKEN}`. */
  token: string;
  /**
   * `postgres`: the store is the PostgreSQL database named by `${env:GAPWARDEN_DEMO_STORE}`
   * (schema `gapwarden_demo`), so the file never holds its URL or password.
   * @default 'sqlite' (gapwarden.db beside the config)
   */
  store?: 'sqlite' | 'postgres';
  /** The demo's local webhook receiver: the alerts go there (`/oncall`, `/lead`). */
  receiverUrl: string;
  /** ISO instant of the first hour of the gateway history the demo ingests. */
  gatewayStart: string;
  /** The station-telemetry pipeline on NATS JetStream, when a server is reachable (none otherwise). */
  telemetry?: DemoTelemetryOptions;
}

/**
 * The draw-collector team's alert plan, its minutes turned into seconds so a
 * demo shows it: P0 at once for a gap of more than 10 periods, the collector
 * silent (no new draw) or 3 failed collects in a row; P1 for a gap of 1-10
 * periods still open after a while, or a long delay; P2 for a backfill that
 * gave up. A P0 nobody acknowledges reaches the lead; a P1 left alone
 * becomes a P0.
 */
export function demoAlerts(
  options: Pick<DemoConfigOptions, 'receiverUrl' | 'apiPort'>,
): GapwardenConfig['alerts'] {
  const draws = ['draws'];
  return {
    receivers: {
      oncall: { channel: 'webhook', url: `${options.receiverUrl}/oncall` },
      lead: { channel: 'webhook', url: `${options.receiverUrl}/lead` },
    },
    rules: {
      'gap-large': { severity: 'P0', datasets: draws, gap: { minPartitions: 11 } },
      'collector-silent': { severity: 'P0', datasets: draws, freshness: { after: '8s' } },
      'collect-failing': { severity: 'P0', datasets: draws, collectFailures: { atLeast: 3 } },
      'gap-small': {
        severity: 'P1',
        datasets: draws,
        gap: { minPartitions: 1, maxPartitions: 10 },
        for: '15s',
      },
      'collect-late': { severity: 'P1', datasets: draws, freshness: { after: '20s' } },
      'backfill-exhausted': { severity: 'P2', datasets: draws, backfillExhausted: {} },
    },
    routes: [
      { match: ['severity=P0'], receivers: ['oncall'], escalate: [{ after: '10s', receivers: ['lead'] }] },
      {
        match: ['severity=~P1|P2'],
        receivers: ['oncall'],
        escalate: [{ after: '30s', raiseSeverity: true }],
      },
    ],
    groupWait: { P0: 0, P1: '5s', P2: '30s' },
    repeatInterval: { P0: '1m', P1: '5m', P2: '1h' },
    evaluateEvery: '1s',
    // With --api-port 0 the port is only known once listening: messages then carry no link.
    ...(options.apiPort > 0 ? { dashboardUrl: `http://127.0.0.1:${options.apiPort}` } : {}),
  };
}

/**
 * The demo's configuration: a draw series with two signed HTTP sources
 * (primary and mirror) collected every second, a daily calendar series in
 * Asia/Shanghai starting `dailyStart`, a health check of every dataset every
 * 30 seconds (so the dashboard's Jobs page shows more than collectors), the
 * draw-collector alert plan sending to the demo's local receiver, the
 * HTTP API on loopback and, with `telemetry`, a stream pipeline.
 */
export function demoConfig(options: DemoConfigOptions): GapwardenConfig {
  const { upstreamUrl, firstPeriod, dailyStart } = options;
  const telemetry = options.telemetry ? demoTelemetry(options.telemetry) : undefined;
  const secret = `\${env:${DEMO_SECRET_ENV}:-${DEMO_SECRET_DEFAULT}}`;
  const signed = { sign: { method: 'md5-sorted' as const, secret, param: 'sign' } };
  const envelope = {
    records: 'retdata',
    success: { path: 'codeid', equals: 10000 },
    notFound: { path: 'codeid', equals: 10004 },
  };
  const drawSource = (name: string, base: string) => ({
    name,
    type: 'http' as const,
    baseUrl: base,
    latest: { url: '/draws/latest', query: { appid: 'demo', time: '${now.unix}' } },
    byKey: { url: '/draws/history', query: { appid: 'demo', issue: '${partition}', time: '${now.unix}' } },
    ...signed,
    response: { ...envelope, key: 'issue' },
    timeoutMs: 1000,
    retries: 1,
    backoff: { initialMs: 100, maxMs: 500 },
  });
  return {
    store:
      options.store === 'postgres'
        ? { postgres: `\${env:${DEMO_STORE_ENV}}`, schema: DEMO_PG_SCHEMA }
        : { sqlite: 'gapwarden.db' },
    // The terminal tells the story; JSON logs only for errors.
    log: { level: 'error' },
    // A fresh token per demo run; a real deployment reads it from the environment only.
    server: {
      host: '127.0.0.1',
      port: options.apiPort,
      token: `\${env:${DEMO_TOKEN_ENV}:-${options.token}}`,
    },
    datasets: {
      draws: {
        description: 'a numbered draw every 2 seconds from a signed API',
        partition: { sequence: { start: firstPeriod } },
        sources: [drawSource('primary', upstreamUrl), drawSource('mirror', `${upstreamUrl}/mirror`)],
        collect: { schedule: '* * * * * *' },
        freshness: { warnAfter: '10s', errorAfter: '30s' },
        backfill: { concurrency: 4, ratePerSecond: 20, retryInitial: '200ms', retryMax: '2s' },
        breaker: { failureThreshold: 3, cooldown: '5s' },
      },
      daily: {
        description: 'one row per day at 02:00 Asia/Shanghai',
        partition: { calendar: { every: '1d', at: '02:00', timezone: 'Asia/Shanghai', start: dailyStart } },
        sources: [
          {
            name: 'primary',
            type: 'http',
            baseUrl: upstreamUrl,
            latest: { url: '/daily/latest', query: { appid: 'demo', time: '${now.unix}' } },
            byKey: { url: '/daily/history', query: { appid: 'demo', date: '${date}', time: '${now.unix}' } },
            ...signed,
            response: { ...envelope, key: 'date' },
            timeoutMs: 1000,
            retries: 1,
          },
        ],
        collect: { schedule: '*/5 * * * * *' },
        freshness: { warnAfter: '26h', errorAfter: '50h' },
      },
      [GATEWAY_DATASET]: gatewayDataset(options.gatewayStart),
      ...telemetry?.datasets,
    },
    ...(telemetry ? { streams: telemetry.streams } : {}),
    alerts: demoAlerts(options),
    ...demoChecks(),
    ...demoGateway(),
    jobs: {
      'check-all': {
        kind: 'check',
        description: 'fails while any dataset is unhealthy',
        schedule: { every: '30s' },
      },
      'gateway-retention': {
        kind: 'archive',
        dataset: GATEWAY_DATASET,
        description: 'archives gateway-events days older than 1 day (the demo also runs it at start)',
        schedule: { every: '1h' },
      },
    },
  };
}

/** The API gateway's request events: one record per request, partitioned by the hour (UTC). */
function gatewayDataset(start: string): NonNullable<GapwardenConfig['datasets']>[string] {
  return {
    description: 'one event per API request, fed by the demo (3 days of history, then live)',
    partition: { calendar: { every: '1h', timezone: 'UTC', start } },
  };
}

/**
 * The gateway's hourly rollup by path and method (requests, unique clients,
 * latency quantiles, top paths) and its short archive horizon: detail older
 * than a day goes to gzip objects in ./archive, verified, then deleted.
 */
export function demoGateway(): Pick<GapwardenConfig, 'rollups' | 'archive'> {
  return {
    rollups: {
      [GATEWAY_ROLLUP]: {
        dataset: GATEWAY_DATASET,
        dimensions: ['path', 'method'],
        bucket: 'hour',
        timezone: 'UTC',
        timeField: 'ts',
        measures: {
          requests: { kind: 'count' },
          clients: { kind: 'unique', field: 'client' },
          latency: { kind: 'quantiles', field: 'latency_ms' },
        },
        top: { by: 'requests', n: 5, window: '24h', every: '60s' },
      },
    },
    archive: {
      store: { folder: 'archive' },
      datasets: { [GATEWAY_DATASET]: { retention: '1d' } },
    },
  };
}

/**
 * The task-platform team's check (seed 001): SUCCESS tasks against their
 * outputs in the demo's SQLite file, every 15 minutes over the last hour
 * (quick), hourly over 24 hours (full), nightly over 14 days (deep), with a
 * SQL repair that writes the missing output rows.
 */
export function demoChecks(): Pick<GapwardenConfig, 'connections' | 'checks'> {
  return {
    connections: { 'task-platform': { sqlite: TASK_PLATFORM_FILE, writable: true } },
    checks: {
      'task-outputs': {
        kind: 'consistency',
        description: 'every SUCCESS task has its TaskOutput row, soon after it finished',
        connection: 'task-platform',
        parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
        children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
        lateAfter: '10m',
        repair: {
          sql: {
            statement:
              "INSERT INTO task_outputs (task_id, result, created_at) SELECT {{key}}, 'repaired by gapwarden', {{now}} WHERE NOT EXISTS (SELECT 1 FROM task_outputs WHERE task_id = {{key}})",
            table: 'task_outputs',
            keyColumn: 'task_id',
          },
          batchSize: 10,
        },
      },
    },
  };
}

/**
 * The config as a `gapwarden.config.ts` file that needs no imports. Functions
 * (the stream modules) are written as their source text, so each must be
 * self-contained.
 */
export function demoConfigFile(config: GapwardenConfig): string {
  const usage =
    config.store && 'postgres' in config.store
      ? `//   ${DEMO_STORE_ENV}=<the demo's PostgreSQL URL> gapwarden status --dir <this folder>`
      : '//   gapwarden status --dir <this folder>';
  const functions: string[] = [];
  const json = JSON.stringify(
    config,
    (_key, value: unknown) => {
      if (typeof value !== 'function') return value;
      functions.push(value.toString());
      return `\u0000function ${functions.length - 1}\u0000`;
    },
    2,
  );
  // A placeholder's line gives the indentation the function's own lines continue at.
  const body = json.replace(
    /^( *)(.*)"\\u0000function (\d+)\\u0000"/gm,
    (_m, indent: string, head: string, i: string) => {
      const lines = (functions[Number(i)] ?? '').split('\n');
      const rest = lines.slice(1);
      const common = Math.min(...rest.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
      const shift = Number.isFinite(common) ? common : 0;
      return `${indent}${head}${[lines[0], ...rest.map((l) => `${indent}${l.slice(shift)}`)].join('\n')}`;
    },
  );
  return `// Written by \`gapwarden demo\`; rewritten on every demo run. The upstream it points to
// lives only while the demo runs; the store stays, so other verbs work afterwards:
${usage}
export default ${body};
`;
}
