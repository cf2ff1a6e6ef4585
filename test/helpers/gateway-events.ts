import { clientAddress, latencies, seededRandom } from '../../src/domain/sketches/sketch-test-data.js';

/** One API-gateway request event, as the demo and the rollup tests store it. */
export interface GatewayEvent {
  key: string;
  partition: number;
  payload: { ts: string; path: string; method: string; status: number; client: string; latency_ms: number };
}

export const GATEWAY_PATHS = ['/v1/orders', '/v1/users', '/v1/search', '/v1/docs:batchGet', '/health'];

/**
 * `count` events numbered from `first`, spread over the hour starting at
 * `hourStartMs`; paths skewed towards the first ones, clients from a
 * population of `clients`, log-normal latencies. Deterministic per seed.
 */
export function gatewayEvents(
  first: number,
  count: number,
  hourStartMs: number,
  seed: number,
  clients = 500,
): GatewayEvent[] {
  const random = seededRandom(seed);
  const lat = latencies(count, seed + 1);
  const out: GatewayEvent[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const path = GATEWAY_PATHS[
      Math.min(GATEWAY_PATHS.length - 1, Math.floor(GATEWAY_PATHS.length * random() ** 2))
    ] as string;
    out.push({
      key: `evt-${n}`,
      partition: n,
      payload: {
        ts: new Date(hourStartMs + Math.floor(random() * 3_600_000)).toISOString(),
        path,
        method: random() < 0.8 ? 'GET' : 'POST',
        status: random() < 0.97 ? 200 : 500,
        client: clientAddress(Math.floor(clients * random())),
        latency_ms: lat[i] as number,
      },
    });
  }
  return out;
}

/** The exact figures a user would compute by hand: per (hour, path) count, distinct clients, latencies. */
export function exactByHourAndPath(events: readonly GatewayEvent[]) {
  const out = new Map<string, { count: number; clients: Set<string>; latencies: number[] }>();
  for (const e of events) {
    const hour = new Date(Math.floor(Date.parse(e.payload.ts) / 3_600_000) * 3_600_000).toISOString();
    const key = `${hour}|${e.payload.path}`;
    let x = out.get(key);
    if (!x) {
      x = { count: 0, clients: new Set(), latencies: [] };
      out.set(key, x);
    }
    x.count++;
    x.clients.add(e.payload.client);
    x.latencies.push(e.payload.latency_ms);
  }
  return out;
}
