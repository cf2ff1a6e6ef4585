// A push-ingest client for the push-ingest bench: POSTs JSON arrays of records
// to gapwarden over node:http with a keep-alive agent, a few requests in flight.
// Imported, it runs in the caller's process; run as a script, it is a separate
// producer process (as in a deployment) and prints its latencies as JSON.
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';

export type BenchRecord = { key: string; partition: number; payload: Record<string, unknown> };

/** `rows` records of ~100-byte JSON payloads, partitions 0..rows-1. */
export function makeBenchRecords(rows: number): BenchRecord[] {
  return Array.from({ length: rows }, (_, i) => ({
    key: `k${i}`,
    partition: i,
    payload: { id: i, name: `station-${i % 977}`, value: (i * 31) % 1000, at: 1_700_000_000 + i, ok: true },
  }));
}

export interface PushRun {
  inserted: number;
  ms: number;
  /** Per-request latency, ms. */
  latencies: number[];
}

/**
 * Pushes `records` in batches, `inFlight` requests at a time. (Node 20's global
 * fetch spends ~2 ms of client CPU per 110 kB request here; node:http does not.)
 */
export async function pushRecords(options: {
  url: string;
  token: string;
  records: BenchRecord[];
  batch: number;
  inFlight: number;
}): Promise<PushRun> {
  const { url, token, records, batch, inFlight } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const latencies: number[] = [];
  let inserted = 0;
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const from = next;
      next += batch;
      const started = performance.now();
      const { status, text } = await post(
        url,
        token,
        agent,
        JSON.stringify(records.slice(from, from + batch)),
      );
      latencies.push(performance.now() - started);
      if (status !== 200) throw new Error(`push answered ${status}: ${text}`);
      inserted += (JSON.parse(text) as { inserted: number }).inserted;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  agent.destroy();
  return { inserted, ms, latencies };
}

function post(
  url: string,
  token: string,
  agent: Agent,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// As a script: push-client.ts <url> <token> <rows> <batch> <inFlight>; records are built before the clock starts.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, token, rows, batch, inFlight] = process.argv.slice(2);
  const run = await pushRecords({
    url: url!,
    token: token!,
    records: makeBenchRecords(Number(rows)),
    batch: Number(batch),
    inFlight: Number(inFlight),
  });
  process.stdout.write(JSON.stringify(run));
}
