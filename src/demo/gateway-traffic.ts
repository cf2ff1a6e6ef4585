import { clientAddress, latencies, seededRandom } from '../domain/sketches/sketch-test-data.js';
import type { Engine } from '../engine/engine.js';

const HOUR = 3_600_000;

/** The demo's gateway dataset, its hourly rollup and how many days of history it starts with. */
export const GATEWAY_DATASET = 'gateway-events';
export const GATEWAY_ROLLUP = 'requests-by-path';
export const GATEWAY_HISTORY_DAYS = 3;

export const GATEWAY_PATHS = ['/v1/orders', '/v1/users', '/v1/search', '/v1/docs:batchGet', '/health'];

/** One API request as the demo ingests it: keyed, partitioned by the hour it happened in. */
export interface GatewayEvent {
  key: string;
  partition: string;
  payload: { ts: string; path: string; method: string; status: number; client: string; latency_ms: number };
}

/** Requests in the hour starting at `hourStart`: a daily curve, busiest mid-afternoon UTC (35..145). */
export function requestsInHour(hourStart: number): number {
  const h = new Date(hourStart).getUTCHours();
  return Math.round(90 - 55 * Math.cos(((h - 3) / 24) * 2 * Math.PI));
}

/** `count` requests at `at(i)`, drawn from `random`: skewed paths, 2,000 clients, log-normal latencies. */
function requests(count: number, seed: number, at: (i: number, random: () => number) => number, key: string) {
  const random = seededRandom(seed);
  const lat = latencies(count, seed + 1);
  const out: GatewayEvent[] = [];
  for (let i = 0; i < count; i++) {
    const path = GATEWAY_PATHS[Math.floor(GATEWAY_PATHS.length * random() ** 2)] as string;
    const ts = at(i, random);
    out.push({
      key: `${key}-${i}`,
      partition: new Date(Math.floor(ts / HOUR) * HOUR).toISOString(),
      payload: {
        ts: new Date(ts).toISOString(),
        path,
        method: random() < 0.8 ? 'GET' : 'POST',
        status: random() < 0.97 ? 200 : 500,
        client: clientAddress(Math.floor(2000 * random() ** 3)),
        latency_ms: lat[i] as number,
      },
    });
  }
  return out;
}

/**
 * The historical requests of the hour starting at `hourStart`, before `until`:
 * the same events for the same hour on every run (seeded by the hour), so a
 * test can count them again.
 */
export function historicalHour(hourStart: number, until = hourStart + HOUR): GatewayEvent[] {
  const all = requests(
    requestsInHour(hourStart),
    hourStart / HOUR,
    (_, random) => hourStart + Math.floor(random() * HOUR),
    `h${hourStart / HOUR}`,
  );
  return all.filter((e) => Date.parse(e.payload.ts) < until);
}

/** The history window of a demo started at `nowMs`: whole hours from 3 days back, up to now. */
export function gatewayHistoryRange(nowMs: number): { from: number; to: number } {
  const from = Math.floor(nowMs / HOUR) * HOUR - GATEWAY_HISTORY_DAYS * 24 * HOUR;
  return { from, to: nowMs };
}

/** Ingests the history `[from, to)` hour by hour through the engine (the real ingest path). */
export async function ingestGatewayHistory(
  engine: Engine,
  range: { from: number; to: number },
): Promise<number> {
  let inserted = 0;
  for (let hour = range.from; hour < range.to; hour += HOUR) {
    const result = await engine.ingest(GATEWAY_DATASET, historicalHour(hour, range.to), {
      source: 'history',
    });
    inserted += result.inserted;
  }
  return inserted;
}

/**
 * Feeds a few live requests every `everyMs` (stamped now) while the demo
 * runs; returns what stops it and reads how many it ingested.
 */
export function startGatewayFeed(engine: Engine, everyMs = 1000) {
  let batch = 0;
  let ingested = 0;
  let running: Promise<void> | undefined;
  const tick = () => {
    // One batch at a time: on a slow store a tick is skipped rather than piled up.
    if (running) return;
    const now = engine.clock.now();
    const n = ++batch;
    const events = requests(3 + (n % 5), 1_000_000 + n, (i) => now - i * 37, `live-${now}-${n}`);
    running = engine
      .ingest(GATEWAY_DATASET, events, { source: 'gateway' })
      .then((r) => {
        ingested += r.inserted;
      })
      .catch(() => {})
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    ingested: () => ingested,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
