import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { GapwardenError } from '../internal/errors.js';

/** Who may call a route: anyone, readers (open unless `protectReads`), or holders of the token. */
export type Access = 'public' | 'read' | 'write';

export interface AuthOptions {
  token: string | undefined;
  protectReads: boolean;
}

/**
 * Checks the bearer token for a route's access level; throws UNAUTHORIZED or
 * FORBIDDEN. Tokens are compared as SHA-256 digests with `timingSafeEqual`, so
 * the time taken says nothing about the token's length or content.
 */
export function createAuthorizer(options: AuthOptions): (c: Context, access: Access) => void {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return (c, access) => {
    if (access === 'public' || (access === 'read' && !options.protectReads)) return;
    if (!expected) {
      throw new GapwardenError(
        'FORBIDDEN',
        'this call changes state and the server has no token: set server.token (e.g. "${env:GAPWARDEN_TOKEN}") in the config',
      );
    }
    const header = c.req.header('authorization');
    if (!header) {
      c.header('WWW-Authenticate', 'Bearer realm="gapwarden"');
      throw new GapwardenError('UNAUTHORIZED', 'missing "Authorization: Bearer <token>" header');
    }
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="gapwarden", error="invalid_token"');
      throw new GapwardenError('UNAUTHORIZED', 'the bearer token is not the server token');
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
