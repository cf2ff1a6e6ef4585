import { parseDuration } from '../domain/duration.js';
import type { ConfigIssue } from '../internal/errors.js';
import type { CompiledServer } from './compiled-config.js';
import type { GapwardenConfig } from './config-schema.js';

type ServerLimits = Pick<
  CompiledServer,
  'allowedHosts' | 'requestTimeoutMs' | 'headersTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;

/** The HTTP server's host check, timeouts and connection cap, every default applied. */
export function compileServerLimits(server: GapwardenConfig['server'], issues: ConfigIssue[]): ServerLimits {
  const ms = (v: string | number | undefined, fallback: number) =>
    v === undefined ? fallback : (parseDuration(v) ?? fallback);
  const requestTimeoutMs = ms(server?.requestTimeout, 30_000);
  const headersTimeoutMs = ms(server?.headersTimeout, 10_000);
  if (requestTimeoutMs < 1 || headersTimeoutMs < 1) {
    issues.push({
      path: requestTimeoutMs < 1 ? 'server.requestTimeout' : 'server.headersTimeout',
      expected: 'a duration of at least 1ms',
      found: '0',
      message: 'a request must end some time: a connection without a limit can be held forever',
    });
  }
  if (headersTimeoutMs > requestTimeoutMs) {
    issues.push({
      path: 'server.headersTimeout',
      expected: `at most server.requestTimeout (${requestTimeoutMs} ms)`,
      found: `${headersTimeoutMs} ms`,
      message: 'the headers are part of the request: their limit cannot exceed the whole request limit',
    });
  }
  const hosts = server?.allowedHosts ?? [];
  return {
    allowedHosts: hosts === '*' ? '*' : hosts.map(withoutPort),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: ms(server?.keepAliveTimeout, 5_000),
    maxConnections: server?.maxConnections ?? 1000,
  };
}

/** `example.com:8080` → `example.com`; a bare IPv6 address is left alone. */
function withoutPort(host: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') || h.split(':').length === 2 ? h.replace(/:\d*$/, '') : h;
}
