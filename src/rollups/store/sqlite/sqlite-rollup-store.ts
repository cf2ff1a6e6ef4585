import type { SqliteDatabase, SqliteHandle } from '../../../store/sqlite/sqlite-connection.js';
import type { CellDelta, DetailRow, RollupStore, StoredCell } from '../rollup-store.js';

type Row = Record<string, unknown>;
const REBUILD_CHUNK = 5000;

// `+dataset_id` keeps SQLite on the rowid range: with the (dataset_id, ordinal) index it would
// scan the whole dataset and sort it on every read.
function statements(db: SqliteDatabase) {
  return {
    datasetId: db.prepare('SELECT id FROM datasets WHERE name = ?').pluck(),
    cursor: db.prepare('SELECT rollup, position, applied, updated_at FROM rollup_cursors WHERE rollup = ?'),
    maxRowid: db.prepare('SELECT coalesce(max(rowid), 0) FROM records').pluck(),
    readAfter: db.prepare(
      `SELECT rowid AS seq, ordinal, payload, ingested_at FROM records
       WHERE rowid > ? AND rowid <= ? AND +dataset_id = ? ORDER BY rowid LIMIT ?`,
    ),
    // Whether a record of the dataset lies in (cursor, rowid]: one not yet applied.
    waiting: db
      .prepare('SELECT 1 FROM records WHERE rowid > ? AND rowid <= ? AND +dataset_id = ? LIMIT 1')
      .pluck(),
    cell: db
      .prepare('SELECT state FROM rollup_cells WHERE rollup = ? AND bucket_start = ? AND dims = ?')
      .pluck(),
    upsertCell: db.prepare(
      `INSERT INTO rollup_cells (rollup, bucket_start, dims, count, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (rollup, bucket_start, dims) DO UPDATE SET
         count = excluded.count, state = excluded.state, updated_at = excluded.updated_at`,
    ),
    moveCursor: db.prepare(
      `INSERT INTO rollup_cursors (rollup, position, applied, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (rollup) DO UPDATE SET position = excluded.position,
         applied = rollup_cursors.applied + excluded.applied, updated_at = excluded.updated_at`,
    ),
    deleteCells: db.prepare(
      'DELETE FROM rollup_cells WHERE rollup = ? AND bucket_start >= ? AND bucket_start < ?',
    ),
    readCells: db.prepare(
      `SELECT bucket_start, dims, count, state FROM rollup_cells
       WHERE rollup = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start, dims`,
    ),
    pending: db.prepare(
      `SELECT min(ingested_at) AS oldest, count(*) AS n FROM records WHERE rowid > ? AND +dataset_id = ?`,
    ),
    maxVersion: db.prepare('SELECT coalesce(max(version), 0) FROM rollup_snapshots WHERE rollup = ?').pluck(),
    insertSnapshot: db.prepare(
      'INSERT INTO rollup_snapshots (rollup, version, created_at, body) VALUES (?, ?, ?, ?)',
    ),
    pruneSnapshots: db.prepare('DELETE FROM rollup_snapshots WHERE rollup = ? AND version <= ?'),
    snapshot: db.prepare(
      'SELECT rollup, version, created_at, body FROM rollup_snapshots WHERE rollup = ? AND version = ?',
    ),
    latest: db.prepare(
      'SELECT rollup, version, created_at, body FROM rollup_snapshots WHERE rollup = ? ORDER BY version DESC LIMIT 1',
    ),
    versions: db.prepare(
      'SELECT version, created_at FROM rollup_snapshots WHERE rollup = ? ORDER BY version DESC',
    ),
  };
}

const toDetail = (r: Row): DetailRow => ({
  seq: Number(r.seq),
  ordinal: Number(r.ordinal),
  payload: String(r.payload),
  ingestedAt: Number(r.ingested_at),
});

const toCell = (r: Row): StoredCell => ({
  bucketStart: Number(r.bucket_start),
  dims: String(r.dims),
  count: Number(r.count),
  state: r.state as Uint8Array,
});

/**
 * The rollups part on SQLite. Insertion order is the rowid: writers are
 * serialised, so every rowid below the newest one a reader sees is
 * committed. Rowids are never reused (store migration 8 made them
 * AUTOINCREMENT): records inserted after the newest ones were deleted (a
 * purge, retention) still land above the cursor
 * (test/rollups-sqlite-rowid.test.ts).
 */
export function createSqliteRollupStore(handle: SqliteHandle): RollupStore {
  let s: ReturnType<typeof statements> | undefined;
  const st = () => {
    s ??= statements(handle.db);
    return s;
  };
  const datasetId = (name: string): number | undefined => {
    const id = st().datasetId.get(name);
    return id === undefined ? undefined : Number(id);
  };
  const cursorAt = (rollup: string): number => {
    const row = st().cursor.get(rollup) as Row | undefined;
    return row === undefined ? 0 : Number(row.position);
  };
  /** Folds deltas into the stored cells (inside a write transaction). */
  const mergeCells = (rollup: string, deltas: readonly CellDelta[], nowMs: number) => {
    const q = st();
    for (const d of deltas) {
      const stored = q.cell.get(rollup, d.bucketStart, d.dims) as Uint8Array | undefined;
      const merged = d.mergeInto(stored);
      q.upsertCell.run(rollup, d.bucketStart, d.dims, merged.count, merged.state, nowMs);
    }
  };
  // A savepoint inside the ingest's transaction: a failing fold undoes only its own writes.
  let savepoint: ((fn: () => void) => void) | undefined;
  return {
    feedInserts(rollup, dataset, feed) {
      if (!handle.onInserted) return () => {};
      return handle.onInserted((ins) => {
        if (ins.dataset !== dataset || ins.after - ins.before < ins.rows.length) return;
        try {
          const position = cursorAt(rollup);
          // Behind: earlier records of the dataset wait for the cursor, which applies these after them.
          // Ahead (the newest records were deleted since it passed them): left to the cursor too.
          if (position > ins.before) return;
          if (position < ins.before && st().waiting.get(position, ins.before, ins.datasetId) !== undefined)
            return;
          savepoint ??= handle.db.transaction((fn: () => void) => fn());
          savepoint(() => {
            mergeCells(rollup, feed.fold(ins.rows), ins.nowMs);
            st().moveCursor.run(rollup, ins.after, ins.rows.length, ins.nowMs);
          });
        } catch (err) {
          feed.failed(err);
          return;
        }
        feed.applied(ins.rows.length);
      });
    },
    async cursor(rollup) {
      const row = handle.read('rollup cursor', () => st().cursor.get(rollup)) as Row | undefined;
      return row === undefined
        ? undefined
        : {
            rollup: String(row.rollup),
            position: Number(row.position),
            applied: Number(row.applied),
            updatedAt: Number(row.updated_at),
          };
    },
    async safePosition() {
      return Number(handle.read('rollup safe position', () => st().maxRowid.get()));
    },
    async readAfter(dataset, after, upTo, limit) {
      return handle.read('rollup read records', () => {
        const id = datasetId(dataset);
        if (id === undefined) return [];
        return (st().readAfter.all(after, upTo, id, limit) as Row[]).map(toDetail);
      });
    },
    async apply(rollup, from, to, applied, deltas, nowMs) {
      return handle.write('rollup apply', () => {
        if (cursorAt(rollup) !== from) return false;
        mergeCells(rollup, deltas, nowMs);
        st().moveCursor.run(rollup, to, applied, nowMs);
        return true;
      });
    },
    async rebuild(rollup, dataset, fromMs, toMs, fold, result, nowMs) {
      return handle.write('rollup rebuild', () => {
        const q = st();
        const position = cursorAt(rollup);
        const id = datasetId(dataset);
        let records = 0;
        if (id !== undefined) {
          let after = 0;
          for (;;) {
            const rows = (q.readAfter.all(after, position, id, REBUILD_CHUNK) as Row[]).map(toDetail);
            if (rows.length === 0) break;
            fold(rows);
            records += rows.length;
            after = (rows[rows.length - 1] as DetailRow).seq;
          }
        }
        q.deleteCells.run(rollup, fromMs, toMs);
        const cells = result();
        for (const c of cells) q.upsertCell.run(rollup, c.bucketStart, c.dims, c.count, c.state, nowMs);
        return { position, records, cells: cells.length };
      });
    },
    async readCells(rollup, fromMs, toMs) {
      return handle.read('rollup cells', () =>
        (st().readCells.all(rollup, fromMs, toMs) as Row[]).map(toCell),
      );
    },
    async pending(dataset, after) {
      return handle.read('rollup pending', () => {
        const id = datasetId(dataset);
        if (id === undefined) return undefined;
        const row = st().pending.get(after, id) as Row;
        const n = Number(row.n);
        return n === 0 ? undefined : { oldestIngestedAt: Number(row.oldest), records: n };
      });
    },
    async saveSnapshot(rollup, body, keep, nowMs) {
      return handle.write('rollup snapshot', () => {
        const q = st();
        const version = Number(q.maxVersion.get(rollup)) + 1;
        q.insertSnapshot.run(rollup, version, nowMs, JSON.stringify(body));
        q.pruneSnapshots.run(rollup, version - keep);
        return version;
      });
    },
    async snapshot(rollup, version) {
      const row = handle.read('rollup snapshot', () =>
        version === 'latest' ? st().latest.get(rollup) : st().snapshot.get(rollup, version),
      ) as Row | undefined;
      return row === undefined
        ? undefined
        : {
            rollup: String(row.rollup),
            version: Number(row.version),
            createdAt: Number(row.created_at),
            body: JSON.parse(String(row.body)) as Record<string, unknown>,
          };
    },
    async listSnapshots(rollup) {
      return handle.read('rollup snapshots', () =>
        (st().versions.all(rollup) as Row[]).map((r) => ({
          version: Number(r.version),
          createdAt: Number(r.created_at),
        })),
      );
    },
  };
}
