import { archiveModule } from '../archive/archive-module.js';
import type { Engine } from '../engine/engine.js';
import { rollupsModule } from '../rollups/rollups-module.js';
import {
  GATEWAY_DATASET,
  GATEWAY_ROLLUP,
  gatewayHistoryRange,
  ingestGatewayHistory,
  startGatewayFeed,
} from './gateway-traffic.js';

const HOUR = 3_600_000;

/** What the demo did with the gateway dataset, for the JSON summary and the test. */
export interface GatewaySummary {
  dataset: string;
  rollup: string;
  /** The history ingested at start: `[from, to)`, epoch ms, and how many requests. */
  history: { from: number; to: number; records: number };
  /** Live requests ingested while the demo ran. */
  live: number;
  /** The retention run at start: days archived (verified, then deleted from the store). */
  archived: { days: string[]; records: number; errors: string[] };
  /** The last complete hour per path: requests, unique clients (HyperLogLog), p95 latency (t-digest). */
  lastHour: { bucket: string; paths: { path: string; requests: number; clients: number; p95: number }[] };
}

export interface DemoGateway {
  /** Stops the live feed and reads the rollup. */
  finish(): Promise<GatewaySummary>;
  /** Stops the live feed (again: harmless). */
  stop(): Promise<void>;
}

/**
 * Starts the demo's API gateway: ingests 3 days of requests through the
 * engine, runs retention once (so days are archived while the demo runs),
 * then feeds live requests every second. `say` tells the terminal.
 */
export async function startDemoGateway(engine: Engine, say: (line: string) => void): Promise<DemoGateway> {
  const range = gatewayHistoryRange(engine.clock.now());
  const records = await ingestGatewayHistory(engine, range);
  const reports = await engine.module(archiveModule).archiver.run(GATEWAY_DATASET);
  const parts = reports.flatMap((r) => r.parts);
  const archived = {
    days: [...new Set(parts.map((p) => p.day))].sort(),
    records: reports.reduce((n, r) => n + r.deletedRecords, 0),
    errors: reports.flatMap((r) => r.errors),
  };
  say(
    `gateway: ${records} requests of the last ${Math.round((range.to - range.from) / 86_400_000)} days ingested into ${GATEWAY_DATASET} (rolled up hourly by path in ${GATEWAY_ROLLUP}); retention archived ${archived.days.length} day(s) older than 1 day (${archived.records} records, verified, then deleted)${archived.errors.length ? `, errors: ${archived.errors.join('; ')}` : ''}`,
  );
  const feed = startGatewayFeed(engine);
  return {
    stop: () => feed.stop(),
    async finish() {
      await feed.stop();
      return {
        dataset: GATEWAY_DATASET,
        rollup: GATEWAY_ROLLUP,
        history: { ...range, records },
        live: feed.ingested(),
        archived,
        lastHour: await lastHourByPath(engine),
      };
    },
  };
}

async function lastHourByPath(engine: Engine): Promise<GatewaySummary['lastHour']> {
  const rollups = engine.module(rollupsModule);
  await rollups.catchUp();
  const to = Math.floor(engine.clock.now() / HOUR) * HOUR;
  const points = await rollups.series(GATEWAY_ROLLUP, {
    from: to - HOUR,
    to,
    groupBy: ['path'],
    quantiles: [0.95],
  });
  const paths = points.map((p) => {
    const latency = p.values.latency;
    return {
      path: String(p.dims.path),
      requests: Number(p.values.requests),
      clients: Math.round(Number(p.values.clients)),
      p95: latency !== null && typeof latency === 'object' ? Number(Object.values(latency)[0]) : Number.NaN,
    };
  });
  paths.sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));
  return { bucket: new Date(to - HOUR).toISOString(), paths };
}

/** The summary's lines for the terminal: the archive, then one line per path of the last hour. */
export function formatGatewaySummary(s: GatewaySummary): string[] {
  const width = Math.max(0, ...s.lastHour.paths.map((p) => p.path.length));
  return [
    `${s.dataset}: ${s.history.records} historical + ${s.live} live requests; archived days: ${s.archived.days.join(', ') || 'none'}`,
    `${s.rollup}, hour ${s.lastHour.bucket.slice(0, 13)}:00Z (requests, unique clients, p95 latency):`,
    ...s.lastHour.paths.map(
      (p) =>
        `  ${p.path.padEnd(width)}  ${String(p.requests).padStart(5)} req  ${String(p.clients).padStart(5)} clients  p95 ${p.p95.toFixed(1)} ms`,
    ),
  ];
}
