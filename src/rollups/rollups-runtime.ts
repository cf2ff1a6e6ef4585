import { parseRank } from '../config/compile-rollups.js';
import type { CompiledRollup, RollupBucket } from '../config/compiled-rollups.js';
import type { ModuleContext, ModuleStartOptions } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { BucketState } from './bucket-state.js';
import { isAtLeast } from './bucket-time.js';
import { HotCells } from './hot-cells.js';
import { type Aggregation, createRollupAggregator, type RollupAggregator } from './rollup-aggregator.js';
import {
  DEFAULT_ROLLUP_CHUNK,
  DEFAULT_ROLLUP_POLL_MS,
  DEFAULT_ROLLUP_SETTLE_MS,
  type RollupsOptions,
} from './rollup-options.js';
import { buildSeries, buildTop, type DecodedCell, type SeriesPoint, type TopEntry } from './rollup-query.js';
import type { CellDelta, RollupStore, StoredCell, TopSnapshot } from './store/rollup-store.js';
import { rollupStorePart } from './store/rollup-store-part.js';

export interface SeriesQuery {
  from: number;
  to: number;
  /** @default the rollup's bucket */
  bucket?: RollupBucket;
  filter?: Record<string, string>;
  /** @default every dimension */
  groupBy?: string[];
  /** @default [0.5, 0.95, 0.99] */
  quantiles?: number[];
}

export interface TopQuery {
  from: number;
  to: number;
  /** A measure, e.g. `requests` or `latency.p95`. @default the rollup's top.by, else its first measure */
  by?: string;
  /** @default 10 */
  n?: number;
  filter?: Record<string, string>;
  /** @default every dimension */
  groupBy?: string[];
}

/** Where a rollup stands: its cursor and what is waiting. */
export interface RollupStatus {
  name: string;
  dataset: string;
  bucket: RollupBucket;
  timezone: string;
  dimensions: string[];
  measures: Array<{ name: string; kind: string; field?: string }>;
  position: number;
  applied: number;
  pendingRecords: number;
  /** Seconds from the ingest of the oldest record not yet applied to now; 0 when caught up. */
  lagSeconds: number;
  updatedAt: number | null;
  top: { by: string; n: number; keep: number; latestVersion: number | null } | null;
}

export interface CatchUpResult {
  rollup: string;
  applied: number;
  skipped: number;
  position: number;
}

/** The rollups module's instance: the library API behind the routes and the CLI. */
export interface Rollups {
  list(): CompiledRollup[];
  get(name: string): CompiledRollup;
  /** Applies every inserted record not yet counted (all rollups, or one). */
  catchUp(name?: string): Promise<CatchUpResult[]>;
  series(name: string, query: SeriesQuery): Promise<SeriesPoint[]>;
  top(name: string, query: TopQuery): Promise<TopEntry[]>;
  /** Recomputes the buckets of `[from, to)` from the detail records. */
  rebuild(
    name: string,
    from: number,
    to: number,
  ): Promise<{ records: number; cells: number; position: number }>;
  /** Takes a top-N snapshot now (the configured `top`); returns its version. */
  snapshotTop(name: string): Promise<TopSnapshot>;
  snapshot(name: string, version: number | 'latest'): Promise<TopSnapshot>;
  snapshots(name: string): Promise<Array<{ version: number; createdAt: number }>>;
  status(name?: string): Promise<RollupStatus[]>;
  readonly store: RollupStore;
  start(options: ModuleStartOptions): Promise<void>;
  stop(): Promise<void>;
}

export function createRollups(ctx: ModuleContext, options: RollupsOptions = {}): Rollups {
  const store = ctx.store.part(rollupStorePart);
  const chunk = options.chunk ?? DEFAULT_ROLLUP_CHUNK;
  const pollMs = options.pollMs ?? DEFAULT_ROLLUP_POLL_MS;
  const settleMs = options.settleMs ?? DEFAULT_ROLLUP_SETTLE_MS;
  const settling = new Map<string, NodeJS.Timeout>();
  const rollups = ctx.config.rollups;
  const aggregators = new Map<string, RollupAggregator>();
  for (const r of rollups) {
    const ds = ctx.config.datasets.find((d) => d.name === r.dataset);
    if (ds) aggregators.set(r.name, createRollupAggregator(r, ds.partitioning));
  }
  const hot = new HotCells();
  const ingestsSinceSnapshot = new Map<string, number>();
  const appliedSinceSnapshot = new Map<string, number>();
  const lastSnapshotAt = new Map<string, number>();
  const running = new Map<string, Promise<CatchUpResult>>();
  const again = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let offIngested: (() => void) | undefined;
  const offFeeds: Array<() => void> = [];
  let stopped = false;

  const get = (name: string): CompiledRollup => {
    const r = rollups.find((x) => x.name === name);
    if (!r) {
      throw new GapwardenError(
        'NOT_FOUND',
        `no rollup named "${name}": configured are ${rollups.map((x) => x.name).join(', ') || 'none'}`,
      );
    }
    return r;
  };
  const aggregatorOf = (name: string) => aggregators.get(get(name).name) as RollupAggregator;

  const decode = (r: CompiledRollup, cells: readonly StoredCell[]): DecodedCell[] =>
    cells.map((c) => ({
      bucketStart: c.bucketStart,
      dims: JSON.parse(c.dims) as Array<string | null>,
      state: BucketState.deserialize(c.state, r.measures),
    }));

  /** The cells of an aggregation as deltas to fold into the stored ones. */
  const deltasOf = (r: CompiledRollup, aggregation: Aggregation): CellDelta[] =>
    [...aggregation.cells.values()].map((cell) => ({
      bucketStart: cell.bucketStart,
      dims: cell.dims,
      mergeInto(stored) {
        const key = `${r.name}|${cell.bucketStart}|${cell.dims}`;
        const base =
          stored === undefined
            ? undefined
            : (hot.take(key, stored) ?? BucketState.deserialize(stored, r.measures));
        const state = base === undefined ? cell.state : base.merge(cell.state);
        const bytes = state.serialize();
        hot.keep(key, bytes, state);
        return { state: bytes, count: state.count };
      },
    }));

  const warnSkipped = (r: CompiledRollup, skipped: number) =>
    ctx.logger.warn({
      msg: 'rollup skipped records without a time',
      rollup: r.name,
      records: skipped,
      field: r.timeField ?? '(partition)',
    });

  /**
   * While `serve` collects: the records each ingest inserts are folded in that
   * ingest's transaction where the store can (SQLite), so they are counted
   * when the ingest returns, without reading them back. The cursor stays the
   * recovery path: records it has not reached yet, and any fold that fails,
   * are applied by `catchUpOne`.
   */
  function feedFromIngests(r: CompiledRollup): (() => void) | undefined {
    const agg = aggregators.get(r.name);
    if (!agg || !store.feedInserts) return undefined;
    return store.feedInserts(r.name, r.dataset, {
      fold(rows) {
        const aggregation = agg.aggregate(rows);
        if (aggregation.skipped > 0) warnSkipped(r, aggregation.skipped);
        return deltasOf(r, aggregation);
      },
      applied(records) {
        appliedSinceSnapshot.set(r.name, (appliedSinceSnapshot.get(r.name) ?? 0) + records);
      },
      failed(err) {
        ctx.logger.warn({
          msg: 'rollup not applied with the ingest: the cursor applies those records',
          rollup: r.name,
          error: ctx.redact(String(err)),
        });
      },
    });
  }

  async function catchUpOne(r: CompiledRollup): Promise<CatchUpResult> {
    const agg = aggregators.get(r.name) as RollupAggregator;
    let applied = 0;
    let skipped = 0;
    let position = (await store.cursor(r.name))?.position ?? 0;
    const safe = await store.safePosition(r.dataset);
    while (position < safe && !stopped) {
      const rows = await store.readAfter(r.dataset, position, safe, chunk);
      if (rows.length === 0) break;
      const to = (rows[rows.length - 1] as { seq: number }).seq;
      const aggregation = agg.aggregate(rows);
      const deltas = deltasOf(r, aggregation);
      const moved = await store.apply(r.name, position, to, rows.length, deltas, ctx.clock.now());
      if (!moved) {
        // Another process applied these records: continue from where it left the cursor.
        position = (await store.cursor(r.name))?.position ?? position;
        continue;
      }
      position = to;
      applied += rows.length;
      skipped += aggregation.skipped;
    }
    if (applied > 0) {
      appliedSinceSnapshot.set(r.name, (appliedSinceSnapshot.get(r.name) ?? 0) + applied);
      ctx.logger.debug({ msg: 'rollup applied', rollup: r.name, records: applied, skipped, position });
    }
    if (skipped > 0) warnSkipped(r, skipped);
    await maybeSnapshot(r);
    return { rollup: r.name, applied, skipped, position };
  }

  /** One catch-up per rollup at a time; a request while one runs makes it run again after. */
  function catchUpQueued(r: CompiledRollup): Promise<CatchUpResult> {
    const current = running.get(r.name);
    if (current) {
      again.add(r.name);
      return current;
    }
    const run = catchUpOne(r).finally(() => {
      running.delete(r.name);
      if (again.delete(r.name) && !stopped) void catchUpQueued(r).catch(logFailure(r));
    });
    running.set(r.name, run);
    return run;
  }

  const logFailure = (r: CompiledRollup) => (err: unknown) =>
    ctx.logger.error({ msg: 'rollup catch-up failed', rollup: r.name, error: ctx.redact(String(err)) });

  async function maybeSnapshot(r: CompiledRollup): Promise<void> {
    if (!r.top) return;
    if ((appliedSinceSnapshot.get(r.name) ?? 0) === 0) return;
    const now = ctx.clock.now();
    if (!lastSnapshotAt.has(r.name)) {
      lastSnapshotAt.set(r.name, (await store.snapshot(r.name, 'latest'))?.createdAt ?? 0);
    }
    const dueByIngests = (ingestsSinceSnapshot.get(r.name) ?? 0) >= r.top.everyIngests;
    const dueByTime = now - (lastSnapshotAt.get(r.name) ?? 0) >= r.top.everyMs;
    if (dueByIngests || dueByTime) await takeSnapshot(r);
  }

  async function takeSnapshot(r: CompiledRollup): Promise<TopSnapshot> {
    const top = r.top;
    if (!top) {
      throw new GapwardenError(
        'REQUEST_INVALID',
        `rollup "${r.name}" has no top: configure rollups.${r.name}.top`,
      );
    }
    const now = ctx.clock.now();
    const from = now - top.windowMs;
    const entries = await queryTop(r, { from, to: now, by: top.by.label, n: top.n });
    const body = { by: top.by.label, n: top.n, from, to: now, entries };
    const version = await store.saveSnapshot(r.name, body, top.keep, now);
    ingestsSinceSnapshot.set(r.name, 0);
    appliedSinceSnapshot.set(r.name, 0);
    lastSnapshotAt.set(r.name, now);
    ctx.logger.info({ msg: 'rollup top snapshot', rollup: r.name, version, entries: entries.length });
    return { rollup: r.name, version, createdAt: now, body };
  }

  async function queryTop(r: CompiledRollup, q: TopQuery): Promise<TopEntry[]> {
    const by = parseRank(q.by ?? r.top?.by.label ?? (r.measures[0]?.name as string), r.measures);
    if (typeof by === 'string')
      throw new GapwardenError('REQUEST_INVALID', `by: expected ${by}, got "${q.by}"`);
    checkRange(q.from, q.to);
    const groupBy = checkDims(r, q.groupBy ?? r.dimensions, 'groupBy');
    checkDims(r, Object.keys(q.filter ?? {}), 'filter');
    const cells = decode(r, await store.readCells(r.name, q.from, q.to));
    const agg = aggregators.get(r.name) as RollupAggregator;
    return buildTop(r, cells, by, q.n ?? r.top?.n ?? 10, q.filter ?? {}, groupBy, agg.emptyState);
  }

  const onTimer = () => {
    for (const r of rollups) void catchUpQueued(r).catch(logFailure(r));
  };

  return {
    store,
    list: () => rollups,
    get,
    async catchUp(name) {
      const list = name === undefined ? rollups : [get(name)];
      const out: CatchUpResult[] = [];
      for (const r of list) {
        let result = await catchUpQueued(r);
        // A catch-up that was already running may have started before the caller's records: run once more.
        if (running.has(r.name)) result = await catchUpQueued(r);
        out.push(result);
      }
      return out;
    },
    async series(name, q) {
      const r = get(name);
      checkRange(q.from, q.to);
      const bucket = q.bucket ?? r.bucket;
      if (!isAtLeast(bucket, r.bucket)) {
        throw new GapwardenError(
          'REQUEST_INVALID',
          `bucket: rollup "${name}" counts per ${r.bucket}, so it can answer per ${r.bucket} or coarser, not per ${bucket}`,
        );
      }
      const groupBy = checkDims(r, q.groupBy ?? r.dimensions, 'groupBy');
      checkDims(r, Object.keys(q.filter ?? {}), 'filter');
      const quantiles = q.quantiles ?? [0.5, 0.95, 0.99];
      for (const x of quantiles) {
        if (!(x >= 0 && x <= 1))
          throw new GapwardenError('REQUEST_INVALID', `quantiles: ${x} is not from 0 to 1`);
      }
      const cells = decode(r, await store.readCells(r.name, q.from, q.to));
      return buildSeries(
        r,
        cells,
        { bucket, filter: q.filter ?? {}, groupBy, quantiles },
        aggregatorOf(name).emptyState,
      );
    },
    top: (name, q) => queryTop(get(name), q),
    async rebuild(name, from, to) {
      const r = get(name);
      checkRange(from, to);
      const agg = aggregatorOf(name);
      const into = { cells: new Map(), skipped: 0 };
      const keep = (bucketStart: number) => bucketStart >= from && bucketStart < to;
      const started = ctx.clock.now();
      const result = await store.rebuild(
        r.name,
        r.dataset,
        from,
        to,
        (rows) => {
          agg.aggregate(rows, into, keep);
        },
        () =>
          [...into.cells.values()].map((c) => ({
            bucketStart: c.bucketStart,
            dims: c.dims,
            count: c.state.count,
            state: c.state.serialize(),
          })),
        ctx.clock.now(),
      );
      ctx.logger.info({
        msg: 'rollup rebuilt',
        rollup: name,
        from,
        to,
        ...result,
        ms: ctx.clock.now() - started,
      });
      return result;
    },
    snapshotTop: (name) => takeSnapshot(get(name)),
    async snapshot(name, version) {
      get(name);
      const s = await store.snapshot(name, version);
      if (!s) {
        throw new GapwardenError(
          'NOT_FOUND',
          `rollup "${name}" has no top-N snapshot ${version === 'latest' ? 'yet' : `version ${version} (kept: the newest ${get(name).top?.keep ?? 0})`}`,
        );
      }
      return s;
    },
    snapshots: async (name) => store.listSnapshots(get(name).name),
    async status(name) {
      const list = name === undefined ? rollups : [get(name)];
      const now = ctx.clock.now();
      const out: RollupStatus[] = [];
      for (const r of list) {
        const cursor = await store.cursor(r.name);
        const pending = await store.pending(r.dataset, cursor?.position ?? 0);
        const latest = r.top ? await store.snapshot(r.name, 'latest') : undefined;
        out.push({
          name: r.name,
          dataset: r.dataset,
          bucket: r.bucket,
          timezone: r.timezone,
          dimensions: r.dimensions,
          measures: r.measures.map((m) => ({
            name: m.name,
            kind: m.kind,
            ...('field' in m ? { field: m.field } : {}),
          })),
          position: cursor?.position ?? 0,
          applied: cursor?.applied ?? 0,
          pendingRecords: pending?.records ?? 0,
          lagSeconds: pending ? Math.max(0, (now - pending.oldestIngestedAt) / 1000) : 0,
          updatedAt: cursor?.updatedAt ?? null,
          top: r.top
            ? { by: r.top.by.label, n: r.top.n, keep: r.top.keep, latestVersion: latest?.version ?? null }
            : null,
        });
      }
      return out;
    },
    async start({ collect }) {
      stopped = false;
      if (!collect || rollups.length === 0) return;
      for (const r of rollups) {
        const off = feedFromIngests(r);
        if (off) offFeeds.push(off);
      }
      offIngested = ctx.events.on('records:ingested', (e) => {
        if (e.inserted === 0) return;
        for (const r of rollups) {
          if (r.dataset !== e.dataset) continue;
          ingestsSinceSnapshot.set(r.name, (ingestsSinceSnapshot.get(r.name) ?? 0) + 1);
          if (settling.has(r.name)) continue;
          const t = setTimeout(() => {
            settling.delete(r.name);
            void catchUpQueued(r).catch(logFailure(r));
          }, settleMs);
          t.unref();
          settling.set(r.name, t);
        }
      });
      timer = setInterval(onTimer, pollMs);
      timer.unref();
      onTimer();
    },
    async stop() {
      stopped = true;
      offIngested?.();
      for (const off of offFeeds.splice(0)) off();
      if (timer) clearInterval(timer);
      for (const t of settling.values()) clearTimeout(t);
      settling.clear();
      await Promise.allSettled([...running.values()]);
    },
  };
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `from/to: expected two instants with from before to, got from=${from} to=${to}`,
    );
  }
}

function checkDims(r: CompiledRollup, names: readonly string[], what: string): string[] {
  for (const n of names) {
    if (!r.dimensions.includes(n)) {
      throw new GapwardenError(
        'REQUEST_INVALID',
        `${what}: rollup "${r.name}" has no dimension "${n}" (its dimensions: ${r.dimensions.join(', ') || 'none'})`,
      );
    }
  }
  return [...names];
}
