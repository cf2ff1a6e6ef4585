import pg from 'pg';
import { describeError, GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';

export type PgClient = pg.PoolClient;

/** How long the store keeps retrying an operation that failed for a transient reason. */
export interface PostgresRetryOptions {
  /** Give up (and reject with `STORE_UNAVAILABLE`) once this much time has passed. @default 10000 */
  maxElapsedMs?: number;
  /** First wait; doubles per attempt (with jitter). @default 50 */
  initialDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
}

export interface PostgresConnectionOptions {
  url: string;
  schema: string | undefined;
  poolSize: number;
  connectTimeoutMs: number;
  retry: Required<PostgresRetryOptions>;
  logger: Logger;
}

/** Runs store operations on pooled connections, retrying transient failures where that is safe. */
export interface PostgresExecutor {
  /** `host:port/database`: what logs and messages name; never the user or password. */
  readonly target: string;
  /**
   * Runs `fn` outside a transaction. On a transient failure it runs again from
   * the start, so `fn` must only read or make idempotent single-statement writes.
   */
  read<T>(what: string, fn: (client: PgClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction. It is retried after a transient failure that
   * happened before COMMIT was sent (the server then rolled everything back);
   * a connection lost while committing leaves the outcome unknown, so that
   * rejects with `STORE_UNAVAILABLE` and `details.outcome: 'unknown'`.
   */
  transaction<T>(what: string, fn: (client: PgClient) => Promise<T>): Promise<T>;
  /** One attempt, no retry: whether the server answers `SELECT 1`. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** `host:port/database` of a connection URL, without credentials. */
export function describePostgresTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || '(default database)'}`;
  } catch {
    return '(unparsable PostgreSQL URL)';
  }
}

// bigint (int8) columns arrive as JS numbers: ordinals and epoch milliseconds
// stay below 2^53, and the contract speaks numbers. Per pool, not the global
// pg.types registry, so embedding applications keep their own parsing.
const INT8 = 20;
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const CONNECTION_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);
// admin_shutdown, crash_shutdown, cannot_connect_now (starting up), too_many_connections.
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// serialization_failure, deadlock_detected: the transaction was rolled back and may simply be run again.
const ROLLED_BACK_SQLSTATES = new Set(['40001', '40P01']);
const CONNECTION_MESSAGE =
  /connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|connection timeout/i;

/** Whether `err` means the connection (or the server behind it) went away or could not be reached. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof AggregateError && err.errors.some(isConnectionError)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (CONNECTION_NODE_CODES.has(code) || CONNECTION_SQLSTATES.has(code) || code.startsWith('08'))
      return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return err instanceof Error && CONNECTION_MESSAGE.test(err.message);
}

function isRolledBack(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ROLLED_BACK_SQLSTATES.has(code);
}

/**
 * Turns anything a store operation threw into a GapwardenError: GapwardenErrors
 * pass through; a lost or unreachable server becomes `STORE_UNAVAILABLE`
 * (retryable); everything else `STORE_FAILED` with the driver error as `cause`.
 */
export function toStoreError(
  what: string,
  err: unknown,
  target: string,
  extra: Record<string, unknown> = {},
): GapwardenError {
  if (err instanceof GapwardenError) return err;
  const message = describeError(err) || String((err as { code?: unknown })?.code ?? 'unknown error');
  const sqlState = (err as { code?: unknown } | null)?.code;
  const details = { store: target, ...(typeof sqlState === 'string' ? { code: sqlState } : {}), ...extra };
  if (isConnectionError(err)) {
    return new GapwardenError(
      'STORE_UNAVAILABLE',
      `${what} failed: PostgreSQL at ${target} is unreachable (${message}); check that the server is running and reachable`,
      { cause: err, retryable: true, details },
    );
  }
  const hint = /relation .* does not exist/i.test(message) ? ' (has migrate() been called?)' : '';
  return new GapwardenError('STORE_FAILED', `${what} failed: ${message}${hint}`, {
    cause: err,
    retryable: isRolledBack(err),
    details,
  });
}

/** Adds `-c name=value` settings to whatever `options` the URL already carries. */
function startupOptions(url: string, schema: string | undefined): string | undefined {
  let fromUrl: string | null = null;
  try {
    fromUrl = new URL(url).searchParams.get('options');
  } catch {}
  const parts = [fromUrl, schema === undefined ? null : `-c search_path=${schema}`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPostgresExecutor(options: PostgresConnectionOptions): PostgresExecutor {
  const { logger, retry } = options;
  const target = describePostgresTarget(options.url);
  const startup = startupOptions(options.url, options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'gapwarden',
    types: TYPES,
    ...(startup ? { options: startup } : {}),
  });
  // A connection the server dropped must not crash the process: idle ones are
  // discarded by the pool (its 'error'); one that is checked out but between
  // queries also emits 'error' on the client, and its next query then fails
  // and is retried on another connection.
  pool.on('error', (err) =>
    logger.warn({ msg: 'idle store connection lost', store: target, error: describeError(err) }),
  );
  pool.on('connect', (client) =>
    client.on('error', (err) =>
      logger.debug({ msg: 'store connection lost', store: target, error: describeError(err) }),
    ),
  );
  let closed = false;

  const closedError = (what: string) =>
    new GapwardenError('STORE_FAILED', `${what} failed: the store is closed`, { details: { store: target } });

  /** Gives a client back; one whose connection may be broken is destroyed instead. */
  const release = (client: PgClient, err?: unknown) => {
    try {
      client.release(err === undefined ? undefined : err instanceof Error ? err : true);
    } catch {}
  };

  async function attempt<T>(what: string, inTransaction: boolean, fn: (c: PgClient) => Promise<T>) {
    const started = performance.now();
    for (let n = 1; ; n++) {
      if (closed) throw closedError(what);
      let client: PgClient | undefined;
      let committing = false;
      try {
        client = await pool.connect();
        if (!inTransaction) {
          const out = await fn(client);
          release(client);
          return out;
        }
        await client.query('BEGIN');
        const out = await fn(client);
        committing = true;
        await client.query('COMMIT');
        release(client);
        return out;
      } catch (err) {
        if (client) {
          if (isConnectionError(err)) release(client, err);
          else if (inTransaction && !committing) {
            await client.query('ROLLBACK').then(
              () => release(client!),
              (e) => release(client!, e),
            );
          } else release(client);
        }
        if (closed) throw closedError(what);
        const lost = isConnectionError(err);
        if (committing && lost) throw toStoreError(what, err, target, { outcome: 'unknown', attempts: n });
        const elapsed = performance.now() - started;
        const delay =
          Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
        if (!(lost || isRolledBack(err)) || elapsed + delay > retry.maxElapsedMs) {
          throw toStoreError(what, err, target, n > 1 ? { attempts: n } : {});
        }
        (n === 1 ? logger.warn : logger.debug)({
          msg: 'store operation failed, retrying',
          store: target,
          operation: what,
          attempt: n,
          retryInMs: Math.round(delay),
          error: describeError(err),
        });
        await sleep(delay);
      }
    }
  }

  return {
    target,
    read: (what, fn) => attempt(what, false, fn),
    transaction: (what, fn) => attempt(what, true, fn),
    async ping() {
      if (closed) return false;
      let client: PgClient | undefined;
      try {
        client = await pool.connect();
        const { rows } = await client.query({ text: 'SELECT 1 AS ok', rowMode: 'array' });
        release(client);
        return rows[0]?.[0] === 1;
      } catch (err) {
        if (client) release(client, err);
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
