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
          // If the API answers ranges, backfill asks for up to backfill.rangeSize (100) partitions per request:
          // byRange: { url: '/history', query: { from: '\${from}', to: '\${to}', page: '\${page}' },
          //            pagination: { pageStart: 1, maxPages: 100, stopWhenFewerThan: 100 } },
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
  // Alerts: the draw-collector team's plan. Rules watch what gapwarden knows; routes send by
  // severity; a P0 nobody acknowledges reaches the next tier. Reference: docs/alerts.md
  alerts: {
    receivers: {
      // Every channel: webhook, slack, dingtalk, wecom, feishu, email, alertmanager, log.
      oncall: { channel: 'log' },
      // oncall: { channel: 'dingtalk', url: '\${env:DINGTALK_URL}', secret: '\${env:DINGTALK_SECRET}' },
      // lead: { channel: 'webhook', url: 'https://pager.example.com/hook', secret: '\${env:HOOK_SECRET}' },
    },
    rules: {
      // P0 at once: a gap of more than 10 periods, the collector silent for 5 minutes, 3 failed collects in a row.
      'gap-large': { severity: 'P0', datasets: ['draws'], gap: { minPartitions: 11 } },
      'collector-silent': { severity: 'P0', datasets: ['draws'], freshness: { after: '5m' } },
      'collect-failing': { severity: 'P0', datasets: ['draws'], collectFailures: { atLeast: 3 } },
      // P1 within 5 minutes: a gap of 1-10 periods backfill has not closed by then, a collection delay over 10 minutes.
      'gap-small': { severity: 'P1', datasets: ['draws'], gap: { minPartitions: 1, maxPartitions: 10 }, for: '5m' },
      'collect-late': { severity: 'P1', datasets: ['draws'], freshness: { after: '10m' } },
      // P2 within the hour: quality (partitions backfill gave up on) and failed jobs.
      'backfill-exhausted': { severity: 'P2', backfillExhausted: {} },
      'job-failed': { severity: 'P2', job: { on: ['failed', 'timeout', 'missed'] } },
    },
    routes: [
      // Unacknowledged after 15 minutes, a P0 also goes to the next tier (add a lead receiver above).
      { match: ['severity=P0'], receivers: ['oncall'], escalate: [{ after: '15m', receivers: ['oncall'] }] },
      // A P1 or P2 left alone for an hour becomes one severity higher.
      { match: ['severity=~P1|P2'], receivers: ['oncall'], escalate: [{ after: '1h', raiseSeverity: true }] },
    ],
    groupWait: { P0: 0, P1: '30s', P2: '1h' },
    repeatInterval: { P0: '30m', P1: '2h', P2: '12h' },
    // 'zh-CN' writes the messages in Simplified Chinese.
    language: 'en',
  },
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
        # byRange:            # if the API answers ranges: up to backfill.rangeSize (100) partitions per request
        #   url: /history
        #   query: { from: '\${from}', to: '\${to}', page: '\${page}' }
        #   pagination: { pageStart: 1, maxPages: 100, stopWhenFewerThan: 100 }
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
alerts:                       # the draw-collector team's plan; reference: docs/alerts.md
  receivers:                  # channels: webhook, slack, dingtalk, wecom, feishu, email, alertmanager, log
    oncall: { channel: log }
    # oncall: { channel: dingtalk, url: '\${env:DINGTALK_URL}', secret: '\${env:DINGTALK_SECRET}' }
  rules:
    # P0 at once: a gap of more than 10 periods, the collector silent 5 minutes, 3 failed collects in a row
    gap-large: { severity: P0, datasets: [draws], gap: { minPartitions: 11 } }
    collector-silent: { severity: P0, datasets: [draws], freshness: { after: 5m } }
    collect-failing: { severity: P0, datasets: [draws], collectFailures: { atLeast: 3 } }
    # P1 within 5 minutes: a gap of 1-10 periods still open, a collection delay over 10 minutes
    gap-small: { severity: P1, datasets: [draws], gap: { minPartitions: 1, maxPartitions: 10 }, for: 5m }
    collect-late: { severity: P1, datasets: [draws], freshness: { after: 10m } }
    # P2 within the hour: partitions backfill gave up on, failed jobs
    backfill-exhausted: { severity: P2, backfillExhausted: {} }
    job-failed: { severity: P2, job: { on: [failed, timeout, missed] } }
  routes:
    - match: ['severity=P0']  # unacknowledged after 15 minutes: the next tier (add a lead receiver)
      receivers: [oncall]
      escalate: [{ after: 15m, receivers: [oncall] }]
    - match: ['severity=~P1|P2']  # left alone for an hour: one severity higher
      receivers: [oncall]
      escalate: [{ after: 1h, raiseSeverity: true }]
  groupWait: { P0: 0, P1: 30s, P2: 1h }
  repeatInterval: { P0: 30m, P1: 2h, P2: 12h }
  language: en                # or zh-CN
jobs:                         # each dataset with collect is the job collect:<dataset>; more here
  check-all:                  # fails when a dataset is unhealthy
    kind: check
    schedule: { cron: '*/5 * * * *' }
    catchUp: skip             # runs missed while down: skip, once or all
`;
}
