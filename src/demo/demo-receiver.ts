import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification the demo's receiver got. */
export interface ReceivedAlert {
  /** The receiver it was sent to (the path: `/oncall`, `/lead`). */
  to: string;
  kind: string;
  severity: string;
  title: string;
  alerts: { id: number; rule: string; state: string; severity: string; summary: string }[];
  idempotencyKey: string;
  at: number;
}

export interface DemoReceiver {
  /** Base URL; each receiver of the demo config posts to a path under it. */
  readonly url: string;
  readonly received: ReceivedAlert[];
  close(): Promise<void>;
}

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const color = (code: number, text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
/** One terminal line per alert: a long error quoted in a summary is cut. */
const short = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

/**
 * A local webhook receiver for the demo: what an on-call chat or pager would
 * get. It prints each notification it receives (red for P0, yellow for
 * P1/P2, green when resolved) and answers 200.
 */
export async function startDemoReceiver(write: (line: string) => void): Promise<DemoReceiver> {
  const received: ReceivedAlert[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          kind: string;
          title: string;
          idempotencyKey: string;
          alerts: ReceivedAlert['alerts'];
        };
        const severity = ['P0', 'P1', 'P2'].find((s) => body.alerts.some((a) => a.severity === s)) ?? 'P2';
        const r: ReceivedAlert = {
          to: (req.url ?? '/').replace(/^\//, ''),
          kind: body.kind,
          severity,
          title: body.title,
          alerts: body.alerts.map(({ id, rule, state, severity: sev, summary }) => ({
            id,
            rule,
            state,
            severity: sev,
            summary,
          })),
          idempotencyKey: body.idempotencyKey,
          at: Date.now(),
        };
        received.push(r);
        const tone = r.kind === 'resolved' ? 32 : severity === 'P0' ? 31 : 33;
        for (const a of r.alerts)
          write(
            `${time(r.at)}  ${color(tone, `ALERT → ${r.to}`)}  ${r.kind} ${a.severity} #${a.id} ${a.rule}: ${short(a.summary)}`,
          );
      } catch {}
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
