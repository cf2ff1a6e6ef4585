import type { CompiledConnection } from '../../config/compiled-checks.js';
import { describeError, GapwardenError } from '../../internal/errors.js';

/** `host:port/database` of a URL (never its user or password), or the SQLite path. */
export function describeConnectionTarget(conn: Pick<CompiledConnection, 'dialect' | 'target'>): string {
  if (conn.dialect === 'sqlite') return conn.target;
  try {
    const url = new URL(conn.target);
    return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return `(unparsable ${conn.dialect} URL)`;
  }
}

/** The error a refused write on a read-only connection throws. */
export function readOnlyError(name: string): GapwardenError {
  return new GapwardenError(
    'CONNECTION_READ_ONLY',
    `connection "${name}" is read-only: set connections.${name}.writable: true to let repairs write through it`,
    { details: { connection: name } },
  );
}

/**
 * Wraps a driver error with the connection's name and where it points, keeping the
 * database's own message (users need it: "relation "taks" does not exist").
 */
export function queryError(name: string, where: string, err: unknown): GapwardenError {
  return new GapwardenError('CONNECTION_FAILED', `${describeError(err)} (connection "${name}", ${where})`, {
    cause: err,
    details: { connection: name, target: where },
  });
}
