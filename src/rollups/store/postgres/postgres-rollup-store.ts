import type { PgClient, PostgresHandle } from '../../../store/postgres/postgres-connection.js';
import type { DetailRow, RollupStore, StoredCell } from '../rollup-store.js';

type Row = Record<string, unknown>;
const REBUILD_CHUNK = 5000;

// The dataset's id is looked up first so that the planner walks `records_dataset_seq`; a join on
// datasets.name made max(seq) and the range reads scan every record of the dataset.
const DATASET_ID = '(SELECT id FROM datasets WHERE name = $1)';
const READ_AFTER = `SELECT seq, ordinal, payload, ingested_at FROM records
  WHERE dataset_id = ${DATASET_ID} AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`;

const UPSERT_CELLS = `INSERT INTO rollup_cells (rollup, bucket_start, dims, count, state, updated_at)
  SELECT $1, b, d, c, s, $6 FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bytea[]) AS t(b, d, c, s)
  ON CONFLICT (rollup, bucket_start, dims) DO UPDATE SET
    count = excluded.count, state = excluded.state, updated_at = excluded.updated_at`;

const toDetail = (r: Row): DetailRow => ({
  seq: Number(r.seq),
  ordinal: Number(r.ordinal),
  payload: String(r.payload),
  ingestedAt: Number(r.ingested_at),
});

const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Locks the rollup's cursor row (creating it at 0) and returns its position. */
async function lockCursor(c: PgClient, rollup: string, nowMs: number): Promise<number> {
  await c.query(
    'INSERT INTO rollup_cursors (rollup, position, applied, updated_at) VALUES ($1, 0, 0, $2) ON CONFLICT (rollup) DO NOTHING',
    [rollup, nowMs],
  );
  const { rows } = await c.query<{ position: number }>(
    'SELECT position FROM rollup_cursors WHERE rollup = $1 FOR UPDATE',
    [rollup],
  );
  return Number(rows[0]?.position ?? 0);
}

async function upsertCells(
  c: PgClient,
  rollup: string,
  cells: ReadonlyArray<Pick<StoredCell, 'bucketStart' | 'dims' | 'count' | 'state'>>,
  nowMs: number,
) {
  if (cells.length === 0) return;
  await c.query(UPSERT_CELLS, [
    rollup,
    cells.map((x) => x.bucketStart),
    cells.map((x) => x.dims),
    cells.map((x) => x.count),
    cells.map((x) => bytes(x.state)),
    nowMs,
  ]);
}

/**
 * The rollups part on PostgreSQL. Insertion order is `records.seq`, taken
 * from a sequence when a row is inserted, i.e. before its transaction
 * commits: a reader could see seq 12 while 11 is still in flight.
 * `safePosition` therefore takes a SHARE lock on `records` for an instant,
 * which waits for the ingest transactions in flight, and reads the newest
 * seq while no new one can start.
 */
export function createPostgresRollupStore(handle: PostgresHandle): RollupStore {
  return {
    async cursor(rollup) {
      return handle.read('rollup cursor', async (c) => {
        const { rows } = await c.query<Row>(
          'SELECT rollup, position, applied, updated_at FROM rollup_cursors WHERE rollup = $1',
          [rollup],
        );
        const r = rows[0];
        return r === undefined
          ? undefined
          : {
              rollup: String(r.rollup),
              position: Number(r.position),
              applied: Number(r.applied),
              updatedAt: Number(r.updated_at),
            };
      });
    },
    async safePosition(dataset) {
      return handle.transaction('rollup safe position', async (c) => {
        await c.query("SET LOCAL lock_timeout = '10s'");
        await c.query('LOCK TABLE records IN SHARE MODE');
        const { rows } = await c.query<{ p: number }>(
          `SELECT coalesce(max(seq), 0) AS p FROM records WHERE dataset_id = ${DATASET_ID}`,
          [dataset],
        );
        return Number(rows[0]?.p ?? 0);
      });
    },
    async readAfter(dataset, after, upTo, limit) {
      return handle.read('rollup read records', async (c) => {
        const { rows } = await c.query<Row>(READ_AFTER, [dataset, after, upTo, limit]);
        return rows.map(toDetail);
      });
    },
    async apply(rollup, from, to, applied, deltas, nowMs) {
      return handle.transaction('rollup apply', async (c) => {
        if ((await lockCursor(c, rollup, nowMs)) !== from) return false;
        const stored = new Map<string, Uint8Array>();
        if (deltas.length > 0) {
          const { rows } = await c.query<Row>(
            `SELECT c.bucket_start, c.dims, c.state FROM rollup_cells c
             JOIN unnest($2::bigint[], $3::text[]) AS k(b, d) ON c.bucket_start = k.b AND c.dims = k.d
             WHERE c.rollup = $1 FOR UPDATE OF c`,
            [rollup, deltas.map((d) => d.bucketStart), deltas.map((d) => d.dims)],
          );
          for (const r of rows)
            stored.set(`${Number(r.bucket_start)}|${String(r.dims)}`, r.state as Uint8Array);
        }
        const cells = deltas.map((d) => {
          const merged = d.mergeInto(stored.get(`${d.bucketStart}|${d.dims}`));
          return { bucketStart: d.bucketStart, dims: d.dims, count: merged.count, state: merged.state };
        });
        await upsertCells(c, rollup, cells, nowMs);
        await c.query(
          'UPDATE rollup_cursors SET position = $2, applied = applied + $3, updated_at = $4 WHERE rollup = $1',
          [rollup, to, applied, nowMs],
        );
        return true;
      });
    },
    async rebuild(rollup, dataset, fromMs, toMs, fold, result, nowMs) {
      return handle.transaction('rollup rebuild', async (c) => {
        const position = await lockCursor(c, rollup, nowMs);
        let records = 0;
        let after = 0;
        for (;;) {
          const { rows } = await c.query<Row>(READ_AFTER, [dataset, after, position, REBUILD_CHUNK]);
          if (rows.length === 0) break;
          const detail = rows.map(toDetail);
          fold(detail);
          records += detail.length;
          after = (detail[detail.length - 1] as DetailRow).seq;
        }
        await c.query(
          'DELETE FROM rollup_cells WHERE rollup = $1 AND bucket_start >= $2 AND bucket_start < $3',
          [rollup, fromMs, toMs],
        );
        const cells = result();
        await upsertCells(c, rollup, cells, nowMs);
        return { position, records, cells: cells.length };
      });
    },
    async readCells(rollup, fromMs, toMs) {
      return handle.read('rollup cells', async (c) => {
        const { rows } = await c.query<Row>(
          `SELECT bucket_start, dims, count, state FROM rollup_cells
           WHERE rollup = $1 AND bucket_start >= $2 AND bucket_start < $3 ORDER BY bucket_start, dims`,
          [rollup, fromMs, toMs],
        );
        return rows.map((r) => ({
          bucketStart: Number(r.bucket_start),
          dims: String(r.dims),
          count: Number(r.count),
          state: r.state as Uint8Array,
        }));
      });
    },
    async pending(dataset, after) {
      return handle.read('rollup pending', async (c) => {
        const { rows } = await c.query<Row>(
          `SELECT min(ingested_at) AS oldest, count(*) AS n FROM records WHERE dataset_id = ${DATASET_ID} AND seq > $2`,
          [dataset, after],
        );
        const n = Number(rows[0]?.n ?? 0);
        return n === 0 ? undefined : { oldestIngestedAt: Number(rows[0]?.oldest), records: n };
      });
    },
    async saveSnapshot(rollup, body, keep, nowMs) {
      return handle.transaction('rollup snapshot', async (c) => {
        // Serialises snapshot writers of this rollup (the cursor row exists once anything was applied).
        await lockCursor(c, rollup, nowMs);
        const { rows } = await c.query<{ v: number }>(
          'SELECT coalesce(max(version), 0) AS v FROM rollup_snapshots WHERE rollup = $1',
          [rollup],
        );
        const version = Number(rows[0]?.v ?? 0) + 1;
        await c.query(
          'INSERT INTO rollup_snapshots (rollup, version, created_at, body) VALUES ($1, $2, $3, $4)',
          [rollup, version, nowMs, JSON.stringify(body)],
        );
        await c.query('DELETE FROM rollup_snapshots WHERE rollup = $1 AND version <= $2', [
          rollup,
          version - keep,
        ]);
        return version;
      });
    },
    async snapshot(rollup, version) {
      return handle.read('rollup snapshot', async (c) => {
        const { rows } = await c.query<Row>(
          version === 'latest'
            ? 'SELECT rollup, version, created_at, body FROM rollup_snapshots WHERE rollup = $1 ORDER BY version DESC LIMIT 1'
            : 'SELECT rollup, version, created_at, body FROM rollup_snapshots WHERE rollup = $1 AND version = $2',
          version === 'latest' ? [rollup] : [rollup, version],
        );
        const r = rows[0];
        return r === undefined
          ? undefined
          : {
              rollup: String(r.rollup),
              version: Number(r.version),
              createdAt: Number(r.created_at),
              body: JSON.parse(String(r.body)) as Record<string, unknown>,
            };
      });
    },
    async listSnapshots(rollup) {
      return handle.read('rollup snapshots', async (c) => {
        const { rows } = await c.query<Row>(
          'SELECT version, created_at FROM rollup_snapshots WHERE rollup = $1 ORDER BY version DESC',
          [rollup],
        );
        return rows.map((r) => ({ version: Number(r.version), createdAt: Number(r.created_at) }));
      });
    },
  };
}
