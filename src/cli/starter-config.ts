/** The starter config `gapwarden init` writes, TypeScript flavour. */
export function starterConfigTs(): string {
  return `// gapwarden configuration. Reference: docs/configuration.md
// Secrets come from the environment: write \${env:NAME} (or \${env:NAME:-default}), never the value.
import { defineConfig } from 'gapwarden';

export default defineConfig({
  // The embedded store; the path is relative to this file.
  store: { sqlite: 'gapwarden.db' },
  log: { level: 'info' },
  datasets: {
    // A numbered series: period 3001, 3002, ... Any missing number is a gap.
    draws: {
      partition: { sequence: { start: 3001, step: 1 } },
      // 'ignore' keeps the first payload stored for a key; 'update' replaces it when it differs.
      onConflict: 'ignore',
      sources: [
        {
          name: 'primary',
          type: 'http',
          baseUrl: 'https://draws.example.com/api',
          latest: { url: '/latest', query: { appid: '\${env:DRAW_APP_ID:-demo}', time: '\${now.unix}' } },
          // Used by backfill: one request per missing partition.
          byKey: { url: '/history', query: { appid: '\${env:DRAW_APP_ID:-demo}', issue: '\${partition}', time: '\${now.unix}' } },
          // MD5 over the sorted non-empty parameters followed by the secret, sent as ?sign=...
          sign: { method: 'md5-sorted', secret: '\${env:DRAW_API_KEY:-change-me}', param: 'sign' },
          response: { records: 'retdata', key: 'issue', success: { path: 'codeid', equals: 10000 } },
          timeoutMs: 10000,
          retries: 2,
        },
      ],
      // Every 30 seconds (6 fields = with seconds).
      collect: { schedule: '*/30 * * * * *' },
      freshness: { warnAfter: '5m', errorAfter: '15m' },
      backfill: { concurrency: 4, ratePerSecond: 10, maxAttempts: 5 },
      breaker: { failureThreshold: 3, cooldown: '30s' },
    },
    // One row per calendar day at 02:00 Shanghai time. Without sources it only
    // receives pushed records; add a source and \`collect: { schedule: '0 5 2 * * *' }\` to fetch it.
    daily: {
      partition: { calendar: { every: '1d', at: '02:00', timezone: 'Asia/Shanghai', start: '2026-01-01' } },
      freshness: { warnAfter: '26h', errorAfter: '50h' },
    },
  },
  // The HTTP API, metrics and dashboard of \`gapwarden serve\`. State-changing calls need the token.
  server: { host: '127.0.0.1', port: 7070, token: '\${env:GAPWARDEN_TOKEN:-change-me-to-a-long-secret}' },
  // Each dataset with \`collect\` is the job collect:<dataset>; more jobs here (\`gapwarden jobs\` lists them).
  jobs: {
    // Fails (and shows in \`gapwarden jobs history\`) when a dataset is unhealthy.
    'check-all': {
      kind: 'check',
      schedule: { cron: '*/5 * * * *' },
      // Runs missed while gapwarden was down: 'skip', 'once' (one run now) or 'all'.
      catchUp: 'skip',
    },
  },
});
`;
}

/** The starter config `gapwarden init --yaml` writes. */
export function starterConfigYaml(): string {
  return `# gapwarden configuration. Reference: docs/configuration.md
# Secrets come from the environment: write \${env:NAME} (or \${env:NAME:-default}), never the value.
store:
  sqlite: gapwarden.db        # relative to this file
log:
  level: info
datasets:
  draws:                      # a numbered series: 3001, 3002, ...
    partition:
      sequence: { start: 3001, step: 1 }
    onConflict: ignore        # or update: replace a stored payload that differs
    sources:
      - name: primary
        type: http
        baseUrl: https://draws.example.com/api
        latest:
          url: /latest
          query: { appid: '\${env:DRAW_APP_ID:-demo}', time: '\${now.unix}' }
        byKey:                # used by backfill, one request per missing partition
          url: /history
          query: { appid: '\${env:DRAW_APP_ID:-demo}', issue: '\${partition}', time: '\${now.unix}' }
        sign: { method: md5-sorted, secret: '\${env:DRAW_API_KEY:-change-me}', param: sign }
        response: { records: retdata, key: issue, success: { path: codeid, equals: 10000 } }
    collect: { schedule: '*/30 * * * * *' }   # 6 fields = with seconds
    freshness: { warnAfter: 5m, errorAfter: 15m }
    backfill: { concurrency: 4, ratePerSecond: 10, maxAttempts: 5 }
  daily:                      # one row per day at 02:00 Shanghai time; add sources + collect to fetch it
    partition:
      calendar: { every: 1d, at: '02:00', timezone: Asia/Shanghai, start: '2026-01-01' }
    freshness: { warnAfter: 26h, errorAfter: 50h }
server:                       # HTTP API, metrics and dashboard of gapwarden serve
  host: 127.0.0.1
  port: 7070
  token: '\${env:GAPWARDEN_TOKEN:-change-me-to-a-long-secret}'   # needed by state-changing calls
jobs:                         # each dataset with collect is the job collect:<dataset>; more here
  check-all:                  # fails when a dataset is unhealthy
    kind: check
    schedule: { cron: '*/5 * * * *' }
    catchUp: skip             # runs missed while down: skip, once or all
`;
}
