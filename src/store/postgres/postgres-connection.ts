import pg from 'pg';
import { describeError, GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import type { StoreHealth, StoreHealthTracker } from '../store-health.js';

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
  /** Remembers outages and failing writes, and logs when they start and end. */
  tracker: StoreHealthTracker;
}

/** Runs store operations on pooled connections, retrying transient failures where that is safe. */
export interface PostgresExecutor {
  /** `host:port/database`: what logs and messages name; never the user or password. */
  readonly target: string;
  /**
   * Runs `fn` outside a transaction. A connection that broke under it is
   * replaced and `fn` runs again from the start, so `fn` must only read or
   * make idempotent single-statement writes. When no connection can be made
   * (the server is down or refusing) it fails at once with
   * `STORE_UNAVAILABLE` rather than waiting: a reader is better told now.
   */
  read<T>(what: string, fn: (client: PgClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction, retried with backoff for up to
   * `retry.maxElapsedMs` after a transient failure before COMMIT (the server
   * rolled everything back). When the connection is lost while committing,
   * the transaction's fate is asked from the server once it answers
   * (`txid_status`): committed returns the result, aborted runs it again;
   * only a fate still unknown when the retry window ends rejects, with
   * `STORE_UNAVAILABLE` and `details.outcome: 'unknown'`.
   */
  transaction<T>(what: string, fn: (client: PgClient) => Promise<T>): Promise<T>;
  /** One attempt, no retry: whether the server answers `SELECT 1`. */
  ping(): Promise<boolean>;
  /** Whether the server answers and writes are not failing; tries a tiny write while they were. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * What a store part (see `store-part.ts`) gets on PostgreSQL: the executor's
 * reads and transactions, with the same retries as the core's methods.
 */
export type PostgresHandle = Pick<PostgresExecutor, 'target' | 'read' | 'transaction'>;

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

/** pg refuses a query on a client it knows is broken or closed without sending anything. */
function neverSent(err: unknown): boolean {
  return err instanceof Error && /is not queryable/.test(err.message);
}

/**
 * A failure that says the server cannot take writes for now, beyond this
 * call: out of disk, memory or other resources (class 53), a system or I/O
 * error (class 58), a read-only server (a standby, or
 * `default_transaction_read_only`).
 */
function isWriteRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (code.startsWith('53') && code !== '53300') || code.startsWith('58') || code === '25006';
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
  if (isWriteRefusal(err)) {
    return new GapwardenError(
      'STORE_UNAVAILABLE',
      `${what} failed: PostgreSQL at ${target} refuses writes (${message}); nothing was stored, and the call may be repeated once the server takes writes again (disk space, a read-only or standby server)`,
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
  const { logger, retry, tracker } = options;
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
  /** When the current outage was noticed (performance.now()); an operation begun before it cannot end it. */
  let downMark = Number.NEGATIVE_INFINITY;

  const closedError = (what: string) =>
    new GapwardenError('STORE_FAILED', `${what} failed: the store is closed`, { details: { store: target } });

  const unreachable = (err: unknown) => {
    if (!tracker.has('connection')) downMark = performance.now();
    tracker.fail(
      'connection',
      `PostgreSQL at ${target} is unreachable (${describeError(err) || 'no answer'}); check that the server is running and reachable`,
    );
  };
  const answered = (startedAt: number) => {
    if (startedAt >= downMark) tracker.clear('connection');
  };
  const refusedWrite = (err: unknown) =>
    tracker.fail('write', `PostgreSQL at ${target} refuses writes (${describeError(err)})`);

  /** Gives a client back; one whose connection may be broken is destroyed instead. */
  const release = (client: PgClient, err?: unknown) => {
    try {
      client.release(err === undefined ? undefined : err instanceof Error ? err : true);
    } catch {}
  };

  const backoff = (n: number) =>
    Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (n - 1)) * (0.5 + Math.random() / 2);

  async function attempt<T>(what: string, inTransaction: boolean, fn: (c: PgClient) => Promise<T>) {
    const started = performance.now();
    for (let n = 1; ; n++) {
      if (closed) throw closedError(what);
      const attemptStarted = performance.now();
      let client: PgClient | undefined;
      /** The transaction id, once COMMIT may have reached the server (null: the transaction wrote nothing). */
      let committing: { xid: string | null } | undefined;
      let out: T | undefined;
      try {
        client = await pool.connect();
        if (!inTransaction) {
          out = await fn(client);
        } else {
          await client.query('BEGIN');
          out = await fn(client);
          const { rows } = await client.query<[string | null]>({
            text: 'SELECT txid_current_if_assigned()::text',
            rowMode: 'array',
          });
          committing = { xid: rows[0]?.[0] ?? null };
          await client.query('COMMIT');
          if (tracker.has('write')) tracker.clear('write');
        }
        release(client);
        answered(attemptStarted);
        return out as T;
      } catch (err) {
        const lost = isConnectionError(err);
        if (client) {
          if (lost) release(client, err);
          else if (inTransaction && !committing) {
            await client.query('ROLLBACK').then(
              () => release(client!),
              (e) => release(client!, e),
            );
          } else release(client);
        } else if (lost) unreachable(err);
        if (closed) throw closedError(what);
        if (isWriteRefusal(err)) refusedWrite(err);
        if (committing && lost && !neverSent(err) && committing.xid !== null) {
          // COMMIT may have reached the server: ask it what became of the transaction.
          const fate = await commitOutcome(committing.xid, started);
          if (fate === 'committed') {
            logger.warn({
              msg: 'store commit confirmed after a lost connection',
              store: target,
              operation: what,
            });
            return out as T;
          }
          if (fate === 'unknown') throw toStoreError(what, err, target, { outcome: 'unknown', attempts: n });
          // Aborted: nothing was stored, so running it again is safe.
        }
        const elapsed = performance.now() - started;
        const delay = backoff(n);
        const fromConnect = !client && lost;
        const transient = lost || isRolledBack(err);
        if (!transient || elapsed + delay > retry.maxElapsedMs || (!inTransaction && fromConnect)) {
          if (lost) unreachable(err);
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

  /**
   * What became of a transaction whose COMMIT may have reached the server,
   * asked on a fresh connection until the server answers, within the same
   * retry window as the operation.
   */
  async function commitOutcome(xid: string, started: number): Promise<'committed' | 'aborted' | 'unknown'> {
    for (let n = 1; !closed; n++) {
      let client: PgClient | undefined;
      try {
        client = await pool.connect();
        const { rows } = await client.query<[string | null]>({
          text: 'SELECT txid_status($1::bigint)',
          values: [xid],
          rowMode: 'array',
        });
        release(client);
        const status = rows[0]?.[0];
        // "in progress": the old backend has not yet noticed its connection is gone; ask again.
        if (status === 'committed' || status === 'aborted') return status;
        if (status !== 'in progress') return 'unknown';
      } catch (err) {
        if (client) release(client, err);
        if (!isConnectionError(err)) return 'unknown';
      }
      const delay = backoff(n);
      if (performance.now() - started + delay > retry.maxElapsedMs) return 'unknown';
      await sleep(delay);
    }
    return 'unknown';
  }

  async function ping(): Promise<boolean> {
    if (closed) return false;
    const startedAt = performance.now();
    let client: PgClient | undefined;
    try {
      client = await pool.connect();
      const { rows } = await client.query({ text: 'SELECT 1 AS ok', rowMode: 'array' });
      release(client);
      answered(startedAt);
      return rows[0]?.[0] === 1;
    } catch (err) {
      if (client) release(client, err);
      unreachable(err);
      return false;
    }
  }

  return {
    target,
    read: (what, fn) => attempt(what, false, fn),
    transaction: (what, fn) => attempt(what, true, fn),
    ping,
    async health() {
      if (closed) return { ok: false, reasons: ['the store is closed'] };
      if ((await ping()) && tracker.has('write')) {
        // A real, tiny write: the oldest migration's row rewritten as it is.
        await attempt('checking that the store takes writes', true, (c) =>
          c.query(
            'UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT MIN(version) FROM schema_migrations)',
          ),
        ).catch(() => {});
      }
      return tracker.snapshot();
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
