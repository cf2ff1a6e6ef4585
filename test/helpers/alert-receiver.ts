import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedPost {
  path: string;
  /** The `Idempotency-Key` header. */
  key: string | undefined;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The status answered; undefined while held. */
  status?: number;
}

/**
 * An HTTP receiver on 127.0.0.1 that records every POST: what a webhook
 * receiver of gapwarden's alerts sees. It answers `status` (200 by default),
 * may hold the next requests open without answering, and resolves waiters as
 * posts arrive.
 */
export interface AlertReceiver {
  url: string;
  readonly posts: ReceivedPost[];
  /** What it answers now. */
  status: number;
  /** A Retry-After header (seconds) sent with non-2xx answers. */
  retryAfter: string | undefined;
  /** The next this many requests are held open and never answered. */
  hold: number;
  /** Resolves once `count` posts (all of them, any status) arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPost[]>;
  /** Posts answered 2xx, by idempotency key: how many times each key was accepted. */
  accepted(): Map<string, number>;
  close(): Promise<void>;
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  const posts: ReceivedPost[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const held: ServerResponse[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (posts.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {}
      const key = req.headers['idempotency-key'];
      const post: ReceivedPost = {
        path: req.url ?? '/',
        key: Array.isArray(key) ? key[0] : key,
        headers: req.headers,
        body,
      };
      posts.push(post);
      if (receiver.hold > 0) {
        receiver.hold--;
        held.push(res);
      } else {
        post.status = receiver.status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (receiver.status >= 300 && receiver.retryAfter) headers['retry-after'] = receiver.retryAfter;
        res.writeHead(receiver.status, headers);
        res.end('{}');
      }
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: AlertReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    posts,
    status: 200,
    retryAfter: undefined,
    hold: 0,
    waitFor(count, timeoutMs = 10_000) {
      if (posts.length >= count) return Promise.resolve(posts.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`the receiver got ${posts.length} post(s), not ${count}, within ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(posts.slice());
          },
        });
      });
    },
    accepted() {
      const out = new Map<string, number>();
      for (const p of posts)
        if (p.status !== undefined && p.status < 300 && p.key) out.set(p.key, (out.get(p.key) ?? 0) + 1);
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
