import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small, controllable upstream on 127.0.0.1 for tests: `/latest`,
 * `/history?issue=N` and `/range?from=A&to=B&page=P` (pages of
 * `rangePageSize`, with `more` saying whether another page follows).
 */
export interface TestUpstream {
  url: string;
  /** Payload of each period the upstream knows. */
  readonly periods: Map<number, Record<string, unknown>>;
  /** Period `/latest` answers with; undefined = the largest known. */
  latest: number | undefined;
  /** Periods `/history` answers "not found" for even though known (confirmed absent). */
  readonly absent: Set<number>;
  /** Every request answers 500 while true. */
  down: boolean;
  /** Next N `/history` calls answer 500. */
  failNext: number;
  /** Delay before each `/history` answer. */
  historyDelayMs: number;
  /** Delay before each `/latest` answer. */
  latestDelayMs: number;
  /** Body `/latest` sends instead of the normal one, verbatim. */
  latestBody: string | undefined;
  /** Items per `/range` page. */
  rangePageSize: number;
  /** Periods `/range` leaves out although `/history` serves them. */
  readonly rangeOmits: Set<number>;
  /** Next N `/range` calls answer 500. */
  failNextRange: number;
  /** Next N `/history` or `/range` calls answer 429 with `Retry-After: throttleRetryAfter`. */
  throttleNext: number;
  throttleRetryAfter: string;
  readonly calls: {
    latest: number;
    history: number[];
    /** Every period `/latest` answered with, in order. */
    latestServed: number[];
    /** When each `/latest` request arrived (ms), in order. */
    latestAt: number[];
    /** Every `/history` request in arrival order, with who asked and how it ended. */
    historyLog: HistoryCall[];
    /** Every `/range` request in arrival order. */
    range: RangeCall[];
  };
  close(): Promise<void>;
}

/** One `/history` request: the `who` query parameter (if any) names the caller. */
export interface HistoryCall {
  issue: number;
  who: string | null;
  /** When it arrived (ms). */
  at: number;
  /** The status sent; undefined while the answer is pending. */
  status?: number;
  /** Whether the whole answer was handed to the client's connection (false: it hung up first, or a 500). */
  delivered: boolean;
}

/** One `/range` request. */
export interface RangeCall {
  from: number;
  to: number;
  page: number;
  /** When it arrived (ms). */
  at: number;
  status: number;
}

export const payloadOf = (p: number) => ({ issue: p, value: (p * 7) % 11, note: `period ${p}` });

export async function startTestUpstream(periods: Iterable<number>): Promise<TestUpstream> {
  const state: TestUpstream = {
    url: '',
    periods: new Map([...periods].map((p) => [p, payloadOf(p)])),
    latest: undefined,
    absent: new Set(),
    down: false,
    failNext: 0,
    historyDelayMs: 0,
    latestDelayMs: 0,
    latestBody: undefined,
    rangePageSize: 100,
    rangeOmits: new Set(),
    failNextRange: 0,
    throttleNext: 0,
    throttleRetryAfter: '1',
    calls: { latest: 0, history: [], latestServed: [], latestAt: [], historyLog: [], range: [] },
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (state.down) return send(500, '{"message":"down"}');
    if (url.pathname === '/latest') {
      state.calls.latest++;
      state.calls.latestAt.push(Date.now());
      if (state.latestDelayMs) await new Promise((r) => setTimeout(r, state.latestDelayMs));
      if (res.destroyed) return;
      if (state.latestBody !== undefined) return send(200, state.latestBody);
      const p = state.latest ?? Math.max(...state.periods.keys());
      state.calls.latestServed.push(p);
      return send(200, JSON.stringify({ code: 0, data: [state.periods.get(p)] }));
    }
    const throttled = () => {
      if (state.throttleNext <= 0) return false;
      state.throttleNext--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': state.throttleRetryAfter });
      res.end('{"message":"slow down"}');
      return true;
    };
    if (url.pathname === '/range') {
      const q = (name: string) => Number(url.searchParams.get(name));
      const call: RangeCall = {
        from: q('from'),
        to: q('to'),
        page: q('page') || 1,
        at: Date.now(),
        status: 200,
      };
      state.calls.range.push(call);
      if (state.throttleNext > 0) {
        call.status = 429;
        return throttled();
      }
      if (state.failNextRange > 0) {
        state.failNextRange--;
        call.status = 500;
        return send(500, '{"message":"flaky"}');
      }
      const served = [...state.periods.keys()]
        .filter((p) => p >= call.from && p <= call.to && !state.absent.has(p) && !state.rangeOmits.has(p))
        .sort((a, b) => a - b);
      const size = state.rangePageSize;
      const items = served.slice((call.page - 1) * size, call.page * size);
      const more = call.page * size < served.length;
      return send(200, JSON.stringify({ code: 0, data: items.map((p) => state.periods.get(p)), more }));
    }
    if (url.pathname === '/history') {
      const p = Number(url.searchParams.get('issue'));
      state.calls.history.push(p);
      const call: HistoryCall = {
        issue: p,
        who: url.searchParams.get('who'),
        at: Date.now(),
        delivered: false,
      };
      state.calls.historyLog.push(call);
      res.once('finish', () => {
        call.delivered = call.status === 200 || call.status === 404;
      });
      const answer = (status: number, body: string) => {
        call.status = status;
        if (!res.destroyed) send(status, body);
      };
      if (state.throttleNext > 0) {
        call.status = 429;
        return throttled();
      }
      if (state.historyDelayMs) await new Promise((r) => setTimeout(r, state.historyDelayMs));
      if (state.failNext > 0) {
        state.failNext--;
        return answer(500, '{"message":"flaky"}');
      }
      if (state.absent.has(p) || !state.periods.has(p)) return answer(404, '{"message":"no such issue"}');
      return answer(200, JSON.stringify({ code: 0, data: [state.periods.get(p)] }));
    }
    send(404, '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/**
 * The HTTP source config for a TestUpstream with `byRange` too: pages of 100,
 * the last one marked by `more: false`.
 */
export function upstreamRangeSource(name: string, url: string, extra: Record<string, unknown> = {}) {
  return upstreamSource(name, url, {
    byRange: {
      url: '/range',
      query: { from: '${from}', to: '${to}', page: '${page}' },
      pagination: { pageStart: 1, maxPages: 100, lastPage: { path: 'more', equals: false } },
    },
    ...extra,
  });
}

/** The HTTP source config for a TestUpstream. */
export function upstreamSource(name: string, url: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'http' as const,
    baseUrl: url,
    latest: { url: '/latest' },
    byKey: { url: '/history', query: { issue: '${partition}' } },
    response: { records: 'data', key: 'issue' },
    timeoutMs: 2000,
    retries: 0,
    ...extra,
  };
}
