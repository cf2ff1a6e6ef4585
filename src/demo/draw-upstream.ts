import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDate, zonedParts, zonedToInstant } from '../domain/time-zone.js';
import { signMd5Sorted } from '../sources/http/signing.js';

/** How the simulated upstream misbehaves. */
export interface UpstreamBehaviour {
  /** One period every this many ms. @default 2000 */
  drawIntervalMs: number;
  /** Share of periods the latest endpoint never reports. @default 0.1 */
  skipRate: number;
  /** Share of latest calls answered with HTTP 500. @default 0.05 */
  failRate: number;
  /** Share of latest calls answered after `slowMs`. @default 0.05 */
  slowRate: number;
  slowMs: number;
  /** Days of daily history before today. @default 14 */
  dailyHistoryDays: number;
  /**
   * How long the history endpoints take to answer, like a real archive lookup, so a
   * person watching the dashboard sees a gap stay open for a moment before it turns
   * green: a fixed number of ms, or `[min, max]` for a random delay per call. 0 answers
   * at once (tests and benchmarks that count throughput, not watch it).
   * @default [300, 800]
   */
  historyDelayMs: number | readonly [min: number, max: number];
}

export interface DrawUpstream {
  readonly url: string;
  readonly firstPeriod: number;
  /** The newest period drawn so far. */
  currentPeriod(): number;
  /** What the upstream serves for a period, exactly. */
  drawPayload(period: number): Record<string, unknown>;
  /** What the upstream serves for a day ('YYYY-MM-DD'), exactly. */
  dailyPayload(date: string): Record<string, unknown>;
  /** Days the daily endpoint knows, oldest first. */
  dailyDates(): string[];
  readonly hits: {
    latest: number;
    history: number;
    failed: number;
    slow: number;
    badSign: number;
    silent: number;
  };
  /** While silent, the draw endpoints (primary and mirror) answer 503: the draws stop arriving. */
  setSilent(silent: boolean): void;
  close(): Promise<void>;
}

const DAILY_ZONE = 'Asia/Shanghai';

/** A deterministic number in [0, 1) for a label, so skips are the same on every call. */
function unit(label: string): number {
  return createHash('md5').update(label).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * A simulated signed draw API on 127.0.0.1: a numbered draw every
 * `drawIntervalMs`, a `latest` endpoint that skips some periods, fails some
 * calls and is sometimes slow, and a history endpoint that serves any period.
 * Also a daily series (one row per day in Asia/Shanghai). Responses use the
 * `{ codeid: 10000, retdata: [...] }` envelope typical of such APIs; requests
 * must carry an MD5 signature (`sign`) over the sorted non-empty parameters.
 */
export async function startDrawUpstream(options: {
  secret: string;
  port?: number;
  firstPeriod?: number;
  behaviour?: Partial<UpstreamBehaviour>;
  now?: () => number;
  random?: () => number;
}): Promise<DrawUpstream> {
  const b: UpstreamBehaviour = {
    drawIntervalMs: 2000,
    skipRate: 0.1,
    failRate: 0.05,
    slowRate: 0.05,
    slowMs: 1500,
    dailyHistoryDays: 14,
    historyDelayMs: [300, 800],
    ...options.behaviour,
  };
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const firstPeriod = options.firstPeriod ?? 3001;
  const startedAt = now();
  const hits = { latest: 0, history: 0, failed: 0, slow: 0, badSign: 0, silent: 0 };
  let silent = false;
  const currentPeriod = () => firstPeriod + Math.floor((now() - startedAt) / b.drawIntervalMs);
  const skipped = (p: number) => p !== firstPeriod && unit(`skip:${p}`) < b.skipRate;

  const drawPayload = (p: number) => {
    const n = [0, 1, 2].map((i) => Math.floor(unit(`n:${p}:${i}`) * 10));
    return {
      issue: p,
      numbers: n,
      sum: n[0]! + n[1]! + n[2]!,
      drawnAt: new Date(startedAt + (p - firstPeriod) * b.drawIntervalMs).toISOString(),
    };
  };
  const dailyDates = () => {
    const today = zonedParts(DAILY_ZONE, now());
    const out: string[] = [];
    for (let i = b.dailyHistoryDays; i >= 0; i--) {
      const noon =
        zonedToInstant(DAILY_ZONE, {
          year: today.year,
          month: today.month,
          day: today.day,
          hour: 12,
          minute: 0,
          second: 0,
        }) -
        i * 86_400_000;
      const p = zonedParts(DAILY_ZONE, noon);
      out.push(formatDate(p.year, p.month, p.day));
    }
    return out;
  };
  const dailyPayload = (date: string) => ({
    date,
    close: Math.round(1000 + unit(`close:${date}`) * 500) / 10,
    volume: Math.floor(unit(`vol:${date}`) * 1e6),
  });

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, items: unknown[]) =>
    reply(res, 200, { codeid: 10000, message: 'ok', retdata: items });
  const historyDelay = () => {
    const d = b.historyDelayMs;
    const ms = typeof d === 'number' ? d : d[0] + random() * (d[1] - d[0]);
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    const { sign, ...unsigned } = params;
    if (sign !== signMd5Sorted(unsigned, options.secret)) {
      hits.badSign++;
      return reply(res, 200, { codeid: 10001, message: 'bad signature' });
    }
    const route = url.pathname.replace(/^\/mirror/, '');
    if (silent && route.startsWith('/draws/')) {
      hits.silent++;
      return reply(res, 503, { message: 'the draw service is not answering' });
    }
    if (route === '/draws/latest') {
      hits.latest++;
      if (random() < b.failRate) {
        hits.failed++;
        return reply(res, 500, { message: 'upstream hiccup' });
      }
      if (random() < b.slowRate) {
        hits.slow++;
        await new Promise((r) => setTimeout(r, b.slowMs));
      }
      let p = currentPeriod();
      while (p > firstPeriod && skipped(p)) p--;
      return ok(res, [drawPayload(p)]);
    }
    if (route === '/draws/history') {
      hits.history++;
      await historyDelay();
      const p = Number(params.issue);
      if (!Number.isInteger(p) || p < firstPeriod || p > currentPeriod())
        return reply(res, 200, { codeid: 10004, message: `no such issue ${params.issue}` });
      return ok(res, [drawPayload(p)]);
    }
    if (route === '/daily/latest') {
      hits.latest++;
      const dates = dailyDates();
      return ok(res, [dailyPayload(dates[dates.length - 1]!)]);
    }
    if (route === '/daily/history') {
      hits.history++;
      await historyDelay();
      if (!dailyDates().includes(params.date ?? ''))
        return reply(res, 200, { codeid: 10004, message: `no such date ${params.date}` });
      return ok(res, [dailyPayload(params.date!)]);
    }
    reply(res, 404, { message: 'not found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, { message: 'internal' }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    firstPeriod,
    currentPeriod,
    drawPayload,
    dailyPayload,
    dailyDates,
    hits,
    setSilent: (on) => {
      silent = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
