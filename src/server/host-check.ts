import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { CompiledServer } from '../config/compiled-config.js';
import { GapwardenError } from '../internal/errors.js';

/**
 * Refuses a request whose `Host` names a host this server was not told about,
 * so a web page that rebinds its own domain name to 127.0.0.1 (DNS rebinding)
 * cannot read the API from a browser. An IP address, `localhost` (and
 * `*.localhost`) or `server.host` is always fine: a rebinding page can only
 * send its own domain name. Ports are ignored. Throws FORBIDDEN.
 */
export function createHostCheck(server: Pick<CompiledServer, 'host' | 'allowedHosts'>): (c: Context) => void {
  if (server.allowedHosts === '*') return () => {};
  const exact = new Set([
    server.host.toLowerCase(),
    ...server.allowedHosts.filter((h) => !h.startsWith('.')),
  ]);
  const suffixes = server.allowedHosts.filter((h) => h.startsWith('.'));
  const allowed = (name: string) =>
    isIP(name.replace(/^\[|\]$/g, '')) !== 0 ||
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    exact.has(name) ||
    suffixes.some((s) => name === s.slice(1) || name.endsWith(s));
  return (c) => {
    // Node requires Host on HTTP/1.1; without one (HTTP/1.0, in-process requests) the URL's host is used.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostnameOf(host);
    if (name !== undefined && allowed(name)) return;
    throw new GapwardenError(
      'FORBIDDEN',
      `Host "${host.slice(0, 100)}" is not allowed: add "${name ?? host.slice(0, 100)}" to server.allowedHosts ` +
        '(IP addresses, localhost and server.host are always allowed; "*" allows any)',
    );
  };
}

/** The lower-case host name of a `Host` value (port and trailing dot dropped), or undefined if malformed. */
export function hostnameOf(host: string): string | undefined {
  // Only a name and a port: `evil.example@127.0.0.1` must not parse as 127.0.0.1.
  if (/[@/?#\\\s]/.test(host)) return undefined;
  try {
    const name = new URL(`http://${host}`).hostname;
    return name.replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}
