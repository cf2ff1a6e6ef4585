import { GapwardenError } from '../../../internal/errors.js';
import type { SqliteHandle } from '../../../store/sqlite/sqlite-connection.js';
import {
  EVENT_COLUMNS,
  MANIFEST_COLUMNS,
  manifestWhere,
  TRANSITIONS,
  type Transition,
  toEvent,
  toManifest,
  wrongState,
} from '../archive-rows.js';
import type { ArchiveManifest, ArchiveRecord, ArchiveStore } from '../archive-store.js';

type Row = Record<string, unknown>;

/** The archive's part on a SQLite store: every write in one `handle.write` transaction. */
export function createSqliteArchiveStore(handle: SqliteHandle): ArchiveStore {
  const { db } = handle;
  // Built before migrate() creates the tables: statements are prepared on first use.
  const lazy = <T>(make: () => T) => {
    let v: T | undefined;
    return () => (v ??= make());
  };
  const byId = lazy(() => db.prepare(`SELECT ${MANIFEST_COLUMNS} FROM archive_manifests WHERE id = ?`));
  const datasetId = lazy(() => db.prepare('SELECT id FROM datasets WHERE name = ?').pluck());
  const addEvent = lazy(() =>
    db.prepare('INSERT INTO archive_events (manifest_id, at, event, detail) VALUES (?, ?, ?, ?)'),
  );

  const idOf = (dataset: string): number | undefined => datasetId().get(dataset) as number | undefined;
  const requireId = (dataset: string): number => {
    const id = idOf(dataset);
    if (id === undefined) throw new GapwardenError('DATASET_UNKNOWN', `no dataset "${dataset}" in the store`);
    return id;
  };
  const get = (id: number): ArchiveManifest | undefined => {
    const row = byId().get(id) as Row | undefined;
    return row ? toManifest(row) : undefined;
  };

  /** Moves a manifest to `to` when it is in an allowed state; sets `set` columns too, records the event. */
  const transition = (
    id: number,
    to: Transition,
    nowMs: number,
    set: Record<string, unknown> = {},
    detail: string | null = null,
  ): ArchiveManifest => {
    const current = get(id);
    const rule = TRANSITIONS[to];
    if (!current || !(rule.from as readonly string[]).includes(current.state))
      throw wrongState(id, current?.state, to);
    const cols = Object.keys(set);
    db.prepare(
      `UPDATE archive_manifests SET state = ?, updated_at = ?${cols.map((c) => `, ${c} = ?`).join('')} WHERE id = ?`,
    ).run(to, nowMs, ...cols.map((c) => set[c]), id);
    if (rule.event) addEvent().run(id, nowMs, rule.event, detail);
    return get(id)!;
  };
  const write = <T>(what: string, fn: () => T) => handle.write(what, fn);

  const deleteOne = lazy(() =>
    db.prepare('DELETE FROM records WHERE dataset_id = ? AND key = ? AND updated_at = ?'),
  );
  const bumpDeleted = lazy(() =>
    db.prepare(
      'UPDATE archive_manifests SET deleted_records = deleted_records + ?, updated_at = ? WHERE id = ?',
    ),
  );
  const insertRecord = lazy(() =>
    db.prepare(
      `INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id, key) DO NOTHING`,
    ),
  );
  // Back at its rowid when that is free (the rollups cursor is past it); else a new one.
  const insertAt = lazy(() =>
    db.prepare(
      `INSERT INTO records (rowid, dataset_id, key, ordinal, payload, source, ingested_at, updated_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM records WHERE rowid = ?)
     ON CONFLICT (dataset_id, key) DO NOTHING`,
    ),
  );
  const insertRange = lazy(() =>
    db.prepare(
      `INSERT INTO archived_ranges (dataset_id, from_ordinal, to_ordinal, archived_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (dataset_id, from_ordinal, to_ordinal) DO NOTHING`,
    ),
  );
  const oldest = lazy(() => db.prepare('SELECT min(ordinal) FROM records WHERE dataset_id = ?').pluck());
  const count = lazy(() =>
    db.prepare('SELECT count(*) FROM records WHERE dataset_id = ? AND ordinal BETWEEN ? AND ?').pluck(),
  );
  const COLS =
    'key, ordinal, payload, source, ingested_at AS ingestedAt, updated_at AS updatedAt, rowid AS position';
  const firstPage = lazy(() =>
    db.prepare(
      `SELECT ${COLS} FROM records WHERE dataset_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal, key LIMIT ?`,
    ),
  );
  const nextPage = lazy(() =>
    db.prepare(
      `SELECT ${COLS} FROM records WHERE dataset_id = ? AND ordinal <= ?
       AND (ordinal > ? OR (ordinal = ? AND key > ?)) ORDER BY ordinal, key LIMIT ?`,
    ),
  );
  const nextPart = lazy(() =>
    db
      .prepare('SELECT coalesce(max(part), 0) + 1 FROM archive_manifests WHERE dataset = ? AND day = ?')
      .pluck(),
  );
  const insertManifest = lazy(() =>
    db.prepare(
      `INSERT INTO archive_manifests (dataset, day, part, object_key, state, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'uploading', ?, ?)`,
    ),
  );

  return {
    beginPart: async (dataset, day, objectKey, nowMs) =>
      write('starting an archive part', () => {
        const part = nextPart().get(dataset, day) as number;
        const res = insertManifest().run(dataset, day, part, objectKey(part), nowMs, nowMs);
        return get(Number(res.lastInsertRowid))!;
      }),
    markUploaded: async (id, o, nowMs) =>
      write('recording an archive upload', () =>
        transition(
          id,
          'uploaded',
          nowMs,
          {
            records: o.records,
            bytes: o.bytes,
            raw_bytes: o.rawBytes,
            sha256: o.sha256,
            ordinals: JSON.stringify(o.ordinals),
            error: null,
          },
          `${o.records} records, ${o.bytes} bytes`,
        ),
      ),
    markVerified: async (id, nowMs) =>
      write('recording an archive verification', () =>
        transition(id, 'verified', nowMs, { verified_at: nowMs, error: null }),
      ),
    markFailed: async (id, error, nowMs) =>
      write('recording a failed verification', () => transition(id, 'failed', nowMs, { error }, error)),
    retryUpload: async (id, nowMs) =>
      write('retrying an archive upload', () => transition(id, 'uploading', nowMs)),
    startDeleting: async (id, nowMs) =>
      write('marking partitions archived', () => {
        const m = get(id);
        if (m?.state !== 'verified' || !m) throw wrongState(id, m?.state, 'deleting');
        const ds = requireId(m.dataset);
        for (const [from, to] of m.ordinals) insertRange().run(ds, from, to, nowMs);
        return transition(id, 'deleting', nowMs);
      }),
    deleteRecords: async (id, rows, nowMs) =>
      write('deleting archived records', () => {
        const m = get(id);
        if (m?.state !== 'deleting' || !m) throw wrongState(id, m?.state, 'deleted');
        const ds = requireId(m.dataset);
        let n = 0;
        for (const r of rows) n += deleteOne().run(ds, r.key, r.updatedAt).changes;
        bumpDeleted().run(n, nowMs, id);
        return n;
      }),
    markDeleted: async (id, nowMs) =>
      write('recording an archive deletion', () => {
        const m = get(id);
        return transition(
          id,
          'deleted',
          nowMs,
          { deleted_at: nowMs },
          `${m?.deletedRecords ?? 0} records deleted`,
        );
      }),
    restoreRecords: async (dataset, rows: readonly ArchiveRecord[]) =>
      write('restoring archived records', () => {
        const ds = requireId(dataset);
        let n = 0;
        for (const r of rows) {
          const { key, ordinal, payload, source, ingestedAt, updatedAt, position } = r;
          const atPosition =
            position === null
              ? 0
              : insertAt().run(position, ds, key, ordinal, payload, source, ingestedAt, updatedAt, position)
                  .changes;
          n +=
            atPosition > 0
              ? atPosition
              : insertRecord().run(ds, key, ordinal, payload, source, ingestedAt, updatedAt).changes;
        }
        return n;
      }),
    markRestored: async (id, restored, nowMs) =>
      write('recording a restore', () =>
        transition(id, 'restored', nowMs, { restored_at: nowMs }, `${restored} records put back`),
      ),
    markExpired: async (id, nowMs) =>
      write('recording an expired archive', () => transition(id, 'expired', nowMs, { expired_at: nowMs })),
    getManifest: async (id) => handle.read('reading an archive manifest', () => get(id)),
    listManifests: async (filter = {}) =>
      handle.read('listing archive manifests', () => {
        const { sql, values } = manifestWhere(filter, () => '?');
        return (
          db.prepare(`SELECT ${MANIFEST_COLUMNS} FROM archive_manifests ${sql}`).all(...values) as Row[]
        ).map(toManifest);
      }),
    listEvents: async ({ dataset, manifestId, limit }) =>
      handle.read('listing archive events', () => {
        const where: string[] = [];
        const values: unknown[] = [];
        if (dataset !== undefined) {
          where.push('m.dataset = ?');
          values.push(dataset);
        }
        if (manifestId !== undefined) {
          where.push('e.manifest_id = ?');
          values.push(manifestId);
        }
        const sql = `SELECT ${EVENT_COLUMNS} FROM archive_events e JOIN archive_manifests m ON m.id = e.manifest_id
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT ?`;
        return (db.prepare(sql).all(...values, limit) as Row[]).map(toEvent);
      }),
    oldestOrdinal: async (dataset) =>
      handle.read('finding the oldest record', () => {
        const id = idOf(dataset);
        return id === undefined ? null : ((oldest().get(id) as number | null) ?? null);
      }),
    countRecords: async (dataset, from, to) =>
      handle.read('counting records', () => {
        const id = idOf(dataset);
        return id === undefined ? 0 : (count().get(id, from, to) as number);
      }),
    readRecords: async (dataset, from, to, after, limit) =>
      handle.read('reading records to archive', () => {
        const id = idOf(dataset);
        if (id === undefined) return [];
        return (
          after === undefined
            ? firstPage().all(id, from, to, limit)
            : nextPage().all(id, to, after.ordinal, after.ordinal, after.key, limit)
        ) as ArchiveRecord[];
      }),
  };
}
