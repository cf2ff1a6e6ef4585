import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it arrived. */
export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (signatures are computed over it). */
  body: string;
  json(): unknown;
}

/** What the receiver answers one request with; `hang` never answers. */
export type Reply = { status?: number; body?: string; headers?: Record<string, string> } | { hang: true };

/**
 * An HTTP receiver on 127.0.0.1 for notifier tests: records every request and
 * answers with `reply` (200 `ok` unless a test sets it), so a test can play
 * Slack, DingTalk, WeCom, Feishu, a webhook or Alertmanager, up or down.
 */
export interface RecordingReceiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  readonly requests: RecordedRequest[];
  reply: (req: RecordedRequest) => Reply;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordingReceiver(): Promise<RecordingReceiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const state: RecordingReceiver = {
    url: '',
    requests: [],
    reply: () => ({ status: 200, body: 'ok' }),
    waitFor: (count) =>
      new Promise<void>((resolve) => {
        if (state.requests.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json: () => JSON.parse(body) as unknown,
      };
      state.requests.push(recorded);
      for (const w of [...waiters]) {
        if (state.requests.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const reply = state.reply(recorded);
      if ('hang' in reply) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
