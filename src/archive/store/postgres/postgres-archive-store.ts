import { GapwardenError } from '../../../internal/errors.js';
import type { PgClient, PostgresHandle } from '../../../store/postgres/postgres-connection.js';
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

async function get(c: PgClient, id: number, lock = false): Promise<ArchiveManifest | undefined> {
  const { rows } = await c.query<Row>(
    `SELECT ${MANIFEST_COLUMNS} FROM archive_manifests WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toManifest(rows[0]) : undefined;
}

async function idOf(c: PgClient, dataset: string): Promise<number | undefined> {
  const { rows } = await c.query<{ id: number }>('SELECT id FROM datasets WHERE name = $1', [dataset]);
  return rows[0]?.id;
}

async function requireId(c: PgClient, dataset: string): Promise<number> {
  const id = await idOf(c, dataset);
  if (id === undefined) throw new GapwardenError('DATASET_UNKNOWN', `no dataset "${dataset}" in the store`);
  return id;
}

/** Moves a (locked) manifest to `to` when it is in an allowed state; sets `set` columns too, records the event. */
async function transition(
  c: PgClient,
  id: number,
  to: Transition,
  nowMs: number,
  set: Record<string, unknown> = {},
  detail: string | null = null,
): Promise<ArchiveManifest> {
  const current = await get(c, id, true);
  const rule = TRANSITIONS[to];
  if (!current || !(rule.from as readonly string[]).includes(current.state))
    throw wrongState(id, current?.state, to);
  const cols = Object.keys(set);
  await c.query(
    `UPDATE archive_manifests SET state = $1, updated_at = $2${cols.map((col, i) => `, ${col} = $${i + 4}`).join('')} WHERE id = $3`,
    [to, nowMs, id, ...cols.map((col) => set[col])],
  );
  if (rule.event)
    await c.query('INSERT INTO archive_events (manifest_id, at, event, detail) VALUES ($1, $2, $3, $4)', [
      id,
      nowMs,
      rule.event,
      detail,
    ]);
  return (await get(c, id))!;
}

const COLS = 'key, ordinal, payload, source, ingested_at AS "ingestedAt", updated_at AS "updatedAt"';

/** Whether `records` has the insertion-order column the rollups part adds (`seq`). */
async function hasSeq(c: PgClient): Promise<boolean> {
  const { rows } = await c.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'records' AND column_name = 'seq'`,
  );
  return rows.length > 0;
}

/** The archive's part on a PostgreSQL store: every write in one `handle.transaction`. */
export function createPostgresArchiveStore(handle: PostgresHandle): ArchiveStore {
  // Asked once, after migrations (the first read or restore runs after open()).
  let seq: Promise<boolean> | undefined;
  const withSeq = (c: PgClient) => (seq ??= hasSeq(c));
  const tx = <T>(what: string, fn: (c: PgClient) => Promise<T>) => handle.transaction(what, fn);
  const read = <T>(what: string, fn: (c: PgClient) => Promise<T>) => handle.read(what, fn);
  return {
    beginPart: (dataset, day, objectKey, nowMs) =>
      tx('starting an archive part', async (c) => {
        // One part number per (dataset, day) even with two processes archiving at once.
        await c.query(
          "SELECT pg_advisory_xact_lock(hashtextextended('gapwarden:archive:' || $1 || ':' || $2, 0))",
          [dataset, day],
        );
        const { rows } = await c.query<{ part: number }>(
          'SELECT coalesce(max(part), 0) + 1 AS part FROM archive_manifests WHERE dataset = $1 AND day = $2',
          [dataset, day],
        );
        const part = rows[0]!.part;
        const inserted = await c.query<{ id: number }>(
          `INSERT INTO archive_manifests (dataset, day, part, object_key, state, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'uploading', $5, $5) RETURNING id`,
          [dataset, day, part, objectKey(part), nowMs],
        );
        return (await get(c, Number(inserted.rows[0]!.id)))!;
      }),
    markUploaded: (id, o, nowMs) =>
      tx('recording an archive upload', (c) =>
        transition(
          c,
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
    markVerified: (id, nowMs) =>
      tx('recording an archive verification', (c) =>
        transition(c, id, 'verified', nowMs, { verified_at: nowMs, error: null }),
      ),
    markFailed: (id, error, nowMs) =>
      tx('recording a failed verification', (c) => transition(c, id, 'failed', nowMs, { error }, error)),
    retryUpload: (id, nowMs) =>
      tx('retrying an archive upload', (c) => transition(c, id, 'uploading', nowMs)),
    startDeleting: (id, nowMs) =>
      tx('marking partitions archived', async (c) => {
        const m = await get(c, id, true);
        if (m?.state !== 'verified' || !m) throw wrongState(id, m?.state, 'deleting');
        const ds = await requireId(c, m.dataset);
        if (m.ordinals.length > 0)
          await c.query(
            `INSERT INTO archived_ranges (dataset_id, from_ordinal, to_ordinal, archived_at)
             SELECT $1, f, t, $4 FROM unnest($2::bigint[], $3::bigint[]) AS r (f, t)
             ON CONFLICT (dataset_id, from_ordinal, to_ordinal) DO NOTHING`,
            [ds, m.ordinals.map((r) => r[0]), m.ordinals.map((r) => r[1]), nowMs],
          );
        return transition(c, id, 'deleting', nowMs);
      }),
    deleteRecords: (id, rows, nowMs) =>
      tx('deleting archived records', async (c) => {
        const m = await get(c, id, true);
        if (m?.state !== 'deleting' || !m) throw wrongState(id, m?.state, 'deleted');
        const ds = await requireId(c, m.dataset);
        const res = await c.query(
          `DELETE FROM records r USING unnest($2::text[], $3::bigint[]) AS d (key, updated_at)
           WHERE r.dataset_id = $1 AND r.key = d.key AND r.updated_at = d.updated_at`,
          [ds, rows.map((r) => r.key), rows.map((r) => r.updatedAt)],
        );
        const n = res.rowCount ?? 0;
        await c.query(
          'UPDATE archive_manifests SET deleted_records = deleted_records + $1, updated_at = $2 WHERE id = $3',
          [n, nowMs, id],
        );
        return n;
      }),
    markDeleted: (id, nowMs) =>
      tx('recording an archive deletion', async (c) => {
        const m = await get(c, id);
        return transition(
          c,
          id,
          'deleted',
          nowMs,
          { deleted_at: nowMs },
          `${m?.deletedRecords ?? 0} records deleted`,
        );
      }),
    restoreRecords: (dataset, rows: readonly ArchiveRecord[]) =>
      tx('restoring archived records', async (c) => {
        const ds = await requireId(c, dataset);
        // Back at its insertion position (the rollups cursor is past it), when there is one.
        const positioned = await withSeq(c);
        const res = await c.query(
          `INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at${positioned ? ', seq' : ''})
           SELECT $1, k, o, p, s, i, u${positioned ? ", coalesce(q, nextval(pg_get_serial_sequence('records', 'seq')))" : ''}
           FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
             AS r (k, o, p, s, i, u, q)
           ON CONFLICT (dataset_id, key) DO NOTHING`,
          [
            ds,
            rows.map((r) => r.key),
            rows.map((r) => r.ordinal),
            rows.map((r) => r.payload),
            rows.map((r) => r.source),
            rows.map((r) => r.ingestedAt),
            rows.map((r) => r.updatedAt),
            rows.map((r) => r.position),
          ],
        );
        return res.rowCount ?? 0;
      }),
    markRestored: (id, restored, nowMs) =>
      tx('recording a restore', (c) =>
        transition(c, id, 'restored', nowMs, { restored_at: nowMs }, `${restored} records put back`),
      ),
    markExpired: (id, nowMs) =>
      tx('recording an expired archive', (c) => transition(c, id, 'expired', nowMs, { expired_at: nowMs })),
    getManifest: (id) => read('reading an archive manifest', (c) => get(c, id)),
    listManifests: (filter = {}) =>
      read('listing archive manifests', async (c) => {
        const { sql, values } = manifestWhere(filter, (n) => `$${n}`);
        const { rows } = await c.query<Row>(
          `SELECT ${MANIFEST_COLUMNS} FROM archive_manifests ${sql}`,
          values,
        );
        return rows.map(toManifest);
      }),
    listEvents: ({ dataset, manifestId, limit }) =>
      read('listing archive events', async (c) => {
        const where: string[] = [];
        const values: unknown[] = [];
        if (dataset !== undefined) {
          values.push(dataset);
          where.push(`m.dataset = $${values.length}`);
        }
        if (manifestId !== undefined) {
          values.push(manifestId);
          where.push(`e.manifest_id = $${values.length}`);
        }
        values.push(limit);
        const { rows } = await c.query<Row>(
          `SELECT ${EVENT_COLUMNS} FROM archive_events e JOIN archive_manifests m ON m.id = e.manifest_id
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT $${values.length}`,
          values,
        );
        return rows.map(toEvent);
      }),
    oldestOrdinal: (dataset) =>
      read('finding the oldest record', async (c) => {
        const { rows } = await c.query<{ min: number | null }>(
          'SELECT min(r.ordinal) AS min FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = $1',
          [dataset],
        );
        return rows[0]?.min ?? null;
      }),
    countRecords: (dataset, from, to) =>
      read('counting records', async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM records r JOIN datasets d ON d.id = r.dataset_id
           WHERE d.name = $1 AND r.ordinal BETWEEN $2 AND $3`,
          [dataset, from, to],
        );
        return rows[0]?.n ?? 0;
      }),
    readRecords: (dataset, from, to, after, limit) =>
      read('reading records to archive', async (c) => {
        const id = await idOf(c, dataset);
        if (id === undefined) return [];
        const cols = `${COLS}, ${(await withSeq(c)) ? 'seq' : 'NULL::bigint'} AS position`;
        const { rows } =
          after === undefined
            ? await c.query<ArchiveRecord>(
                `SELECT ${cols} FROM records WHERE dataset_id = $1 AND ordinal BETWEEN $2 AND $3
                 ORDER BY ordinal, key LIMIT $4`,
                [id, from, to, limit],
              )
            : await c.query<ArchiveRecord>(
                `SELECT ${cols} FROM records WHERE dataset_id = $1 AND ordinal <= $2
                   AND (ordinal, key) > ($3, $4) ORDER BY ordinal, key LIMIT $5`,
                [id, to, after.ordinal, after.key, limit],
              );
        return rows;
      }),
  };
}
