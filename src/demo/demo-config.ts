import type { GapwardenConfig } from '../config/config-schema.js';
import { DEMO_PG_SCHEMA, DEMO_STORE_ENV } from './demo-store.js';

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
}

/**
 * The demo's configuration: a draw series with two signed HTTP sources
 * (primary and mirror) collected every second, a daily calendar series in
 * Asia/Shanghai starting `dailyStart`, a health check of every dataset every
 * 30 seconds (so the dashboard's Jobs page shows more than collectors), and the
 * HTTP API on loopback.
 */
export function demoConfig(options: DemoConfigOptions): GapwardenConfig {
  const { upstreamUrl, firstPeriod, dailyStart } = options;
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
    },
    jobs: {
      'check-all': {
        kind: 'check',
        description: 'fails while any dataset is unhealthy',
        schedule: { every: '30s' },
      },
    },
  };
}

/** The config as a `gapwarden.config.ts` file that needs no imports. */
export function demoConfigFile(config: GapwardenConfig): string {
  const usage =
    config.store && 'postgres' in config.store
      ? `//   ${DEMO_STORE_ENV}=<the demo's PostgreSQL URL> gapwarden status --dir <this folder>`
      : '//   gapwarden status --dir <this folder>';
  return `// Written by \`gapwarden demo\`; rewritten on every demo run. The upstream it points to
// lives only while the demo runs; the store stays, so other verbs work afterwards:
${usage}
export default ${JSON.stringify(config, null, 2)};
`;
}
