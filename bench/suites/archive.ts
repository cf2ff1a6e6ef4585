import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import { dayStart } from '../../src/archive/archive-days.js';
import { createArchiveModule } from '../../src/archive/archive-module.js';
import type { ArchiveStep } from '../../src/archive/archive-runner.js';
import type { ArchiveRecord } from '../../src/archive/store/archive-store.js';
import { compileConfig } from '../../src/config/compile-config.js';
import { clientAddress, latencies, seededRandom } from '../../src/domain/sketches/sketch-test-data.js';
import { BUILT_IN_MODULES } from '../../src/engine/built-in-modules.js';
import { createEngine } from '../../src/engine/engine.js';
import { createManualClock } from '../../src/internal/clock.js';
import { silentLogger } from '../../src/internal/logger.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

// Sizes: GAPWARDEN_BENCH_ARCHIVE_EVENTS events on SQLite (GAPWARDEN_BENCH_ARCHIVE_PG_EVENTS on
// PostgreSQL, 0 to skip it) spread evenly over DAYS UTC days, GAPWARDEN_BENCH_ARCHIVE_ROUNDS rounds.
const EVENTS = Number(process.env.GAPWARDEN_BENCH_ARCHIVE_EVENTS ?? 1_000_000);
const PG_EVENTS = Number(process.env.GAPWARDEN_BENCH_ARCHIVE_PG_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.GAPWARDEN_BENCH_ARCHIVE_ROUNDS ?? 3);
const DAYS = 4;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const INGEST_BATCH = 5000;
const DELETE_BATCH = 5000; // the archive's default deleteBatch, and the floor's transaction size
const DATASET = 'gateway-events';
const T0 = Date.UTC(2026, 10, 1);
// Every day of the data is past a 1-day retention at NOW.
const NOW = T0 + (DAYS + 1) * DAY + 12 * HOUR;
const ADMIN_URL = process.env.GAPWARDEN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PATHS = ['/v1/orders', '/v1/users', '/v1/search', '/v1/docs:batchGet', '/health'];
const MB = 1024 * 1024;

/** The demo's gateway events, `count` of them in the hour starting at `hourStart` (seeded by the hour). */
function hourEvents(hourStart: number, count: number) {
  const seed = hourStart / HOUR;
  const random = seededRandom(seed);
  const lat = latencies(count, seed + 1);
  const out = [];
  for (let i = 0; i < count; i++) {
    const ts = hourStart + Math.floor(random() * HOUR);
    out.push({
      key: `h${seed}-${i}`,
      partition: new Date(hourStart).toISOString(),
      payload: {
        ts: new Date(ts).toISOString(),
        path: PATHS[Math.floor(PATHS.length * random() ** 2)],
        method: random() < 0.8 ? 'GET' : 'POST',
        status: random() < 0.97 ? 200 : 500,
        client: clientAddress(Math.floor(20_000 * random() ** 3)),
        latency_ms: lat[i] as number,
      },
    });
  }
  return out;
}

function benchConfig(store: Record<string, string>, objects: string) {
  return compileConfig(
    {
      store,
      server: { enabled: false },
      datasets: {
        [DATASET]: {
          partition: {
            calendar: { every: '1h', timezone: 'UTC', start: new Date(T0).toISOString(), horizon: false },
          },
        },
      },
      archive: {
        store: { folder: objects },
        datasets: { [DATASET]: { retention: '1d', deleteBatch: DELETE_BATCH } },
      },
    },
    { env: {} },
  );
}

/** Ingests `events` through the engine (the real ingest path) in batches; events/s. */
async function ingestAll(store: Record<string, string>, events: number, scratch: string): Promise<number> {
  const engine = createEngine({
    config: benchConfig(store, join(scratch, 'unused-objects')),
    clock: createManualClock(NOW),
    logger: silentLogger,
  });
  await engine.open();
  try {
    const hours = DAYS * 24;
    const t0 = performance.now();
    let inserted = 0;
    for (let h = 0; h < hours; h++) {
      const n = Math.floor((events * (h + 1)) / hours) - Math.floor((events * h) / hours);
      const all = hourEvents(T0 + h * HOUR, n);
      for (let i = 0; i < all.length; i += INGEST_BATCH)
        inserted += (await engine.ingest(DATASET, all.slice(i, i + INGEST_BATCH))).inserted;
    }
    if (inserted !== events) throw new Error(`inserted ${inserted} of ${events}`);
    return (events / (performance.now() - t0)) * 1000;
  } finally {
    await engine.stop();
  }
}

interface ArchiveRound {
  ms: number;
  uploadMs: number;
  verifyMs: number;
  deleteMs: number;
  /** `archive verify` afterwards, read-only: every object read back against its manifest. */
  verifyCommandMs: number;
  records: number;
  rawBytes: number;
  bytes: number;
  parts: number;
}

/** One `archive run` of the dataset through the archive module's runtime, to a folder store. */
async function archiveOnce(store: Record<string, string>, objects: string): Promise<ArchiveRound> {
  let mark = 0;
  const spent: Record<'upload' | 'verify' | 'mark' | 'delete', number> = {
    upload: 0,
    verify: 0,
    mark: 0,
    delete: 0,
  };
  // Each part goes: (begin) upload → uploaded → read back → verified → ranges → deleting → batches → deleted.
  const phaseEnding: Partial<Record<ArchiveStep, keyof typeof spent>> = {
    uploaded: 'upload',
    verified: 'verify',
    deleting: 'mark',
    deleted: 'delete',
  };
  const def = createArchiveModule({
    onStep: (step) => {
      const phase = phaseEnding[step];
      if (!phase) return;
      const now = performance.now();
      spent[phase] += now - mark;
      mark = now;
    },
  });
  const modules = [...BUILT_IN_MODULES.filter((m) => m.name !== 'archive'), def];
  const engine = createEngine({
    config: benchConfig(store, objects),
    clock: createManualClock(NOW),
    logger: silentLogger,
    modules,
  });
  await engine.open();
  try {
    const archive = engine.module(def);
    const t0 = performance.now();
    mark = t0;
    const [report] = await archive.archiver.run(DATASET);
    const ms = performance.now() - t0;
    if (!report || report.errors.length > 0)
      throw new Error(`archive run failed: ${report?.errors.join('; ')}`);
    const v0 = performance.now();
    const verified = await archive.archiver.verify(DATASET);
    const verifyCommandMs = performance.now() - v0;
    if (verified.some((v) => !v.ok)) throw new Error('archive verify found a problem');
    const [usage] = await archive.usage();
    return {
      ms,
      uploadMs: spent.upload,
      verifyMs: spent.verify,
      deleteMs: spent.delete + spent.mark,
      verifyCommandMs,
      records: report.deletedRecords,
      rawBytes: usage?.rawBytes ?? 0,
      bytes: usage?.bytes ?? 0,
      parts: report.parts.length,
    };
  } finally {
    await engine.stop();
  }
}

interface FloorRound {
  ms: number;
  uploadMs: number;
  verifyMs: number;
  deleteMs: number;
  records: number;
  rawBytes: number;
  bytes: number;
}

/** A row as both sides read it: the columns the archive writes. */
type RawRow = ArchiveRecord;

/** The raw driver's side: rows of a day, deletes of a batch. */
interface RawDriver {
  dayRows(from: number, to: number): Promise<Iterable<RawRow>>;
  deleteBatch(keys: string[], updatedAt: number[]): Promise<number>;
}

/**
 * The floor: a plain loop per day — the rows read with the raw driver, written
 * as the same JSON Lines through node:zlib gzip (level 6) to a file that is
 * synced; then the file read back (sha256, gunzip, JSON.parse of every line,
 * keys collected); then the rows deleted by key and updated_at in transactions
 * of DELETE_BATCH.
 */
async function floorOnce(
  driver: RawDriver,
  folder: string,
  partitioning: { toOrdinal(v: string): unknown; valueOf(o: number): string | number },
): Promise<FloorRound> {
  const r: FloorRound = { ms: 0, uploadMs: 0, verifyMs: 0, deleteMs: 0, records: 0, rawBytes: 0, bytes: 0 };
  const t0 = performance.now();
  for (let d = 0; d < DAYS; d++) {
    const dayMs = T0 + d * DAY;
    const day = new Date(dayMs).toISOString().slice(0, 10);
    const from = partitioning.toOrdinal(new Date(dayStart(day)).toISOString()) as number;
    const to = from + 23;
    const file = join(folder, `${day}.jsonl.gz`);
    mkdirSync(dirname(file), { recursive: true });
    let t = performance.now();
    const rows = await driver.dayRows(from, to);
    let rawBytes = 0;
    function* lines() {
      let text = '';
      for (const row of rows) {
        text += `${JSON.stringify({
          key: row.key,
          ordinal: row.ordinal,
          partition: partitioning.valueOf(row.ordinal),
          payload: row.payload,
          source: row.source,
          ingestedAt: row.ingestedAt,
          updatedAt: row.updatedAt,
          position: row.position,
        })}\n`;
        if (text.length >= 1 << 20) {
          const b = Buffer.from(text);
          rawBytes += b.length;
          yield b;
          text = '';
        }
      }
      const b = Buffer.from(text);
      rawBytes += b.length;
      if (b.length > 0) yield b;
    }
    await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(file));
    const h = await open(file, 'r+');
    await h.sync();
    const bytes = (await h.stat()).size;
    await h.close();
    r.rawBytes += rawBytes;
    r.bytes += bytes;
    r.uploadMs += performance.now() - t;

    t = performance.now();
    const hash = createHash('sha256');
    const keys: string[] = [];
    const updatedAt: number[] = [];
    let rest = '';
    const raw = createReadStream(file);
    raw.on('data', (c) => hash.update(c as Buffer));
    for await (const chunk of raw.pipe(createGunzip())) {
      const s = rest + (chunk as Buffer).toString('utf8');
      let start = 0;
      for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
        const line = JSON.parse(s.slice(start, nl)) as RawRow;
        keys.push(line.key);
        updatedAt.push(line.updatedAt);
        start = nl + 1;
      }
      rest = s.slice(start);
    }
    hash.digest('hex');
    r.verifyMs += performance.now() - t;

    t = performance.now();
    for (let i = 0; i < keys.length; i += DELETE_BATCH)
      r.records += await driver.deleteBatch(
        keys.slice(i, i + DELETE_BATCH),
        updatedAt.slice(i, i + DELETE_BATCH),
      );
    r.deleteMs += performance.now() - t;
  }
  r.ms = performance.now() - t0;
  return r;
}

function sqliteDriver(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const id = db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(DATASET) as number;
  const select = db.prepare(
    `SELECT key, ordinal, payload, source, ingested_at AS ingestedAt, updated_at AS updatedAt, rowid AS position
     FROM records WHERE dataset_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal, key`,
  );
  const del = db.prepare('DELETE FROM records WHERE dataset_id = ? AND key = ? AND updated_at = ?');
  const delMany = db.transaction((keys: string[], upd: number[]) => {
    let n = 0;
    for (let i = 0; i < keys.length; i++) n += del.run(id, keys[i], upd[i]).changes;
    return n;
  });
  const driver: RawDriver = {
    dayRows: async (from, to) => select.iterate(id, from, to) as Iterable<RawRow>,
    deleteBatch: async (keys, upd) => delMany(keys, upd),
  };
  return { driver, close: () => db.close() };
}

const INT8 = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

async function pgDriver(url: string) {
  const c = new pg.Client({ connectionString: url, types: pgTypes });
  await c.connect();
  const id = (await c.query('SELECT id FROM datasets WHERE name = $1', [DATASET])).rows[0].id as number;
  const seq = (
    await c.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'records' AND column_name = 'seq'`,
    )
  ).rowCount;
  const driver: RawDriver = {
    dayRows: async (from, to) =>
      (
        await c.query<RawRow>(
          `SELECT key, ordinal, payload, source, ingested_at AS "ingestedAt", updated_at AS "updatedAt",
           ${seq ? 'seq' : 'NULL::bigint'} AS position
           FROM records WHERE dataset_id = $1 AND ordinal BETWEEN $2 AND $3 ORDER BY ordinal, key`,
          [id, from, to],
        )
      ).rows,
    deleteBatch: async (keys, upd) => {
      await c.query('BEGIN');
      const res = await c.query(
        `DELETE FROM records r USING unnest($2::text[], $3::bigint[]) AS d (key, updated_at)
         WHERE r.dataset_id = $1 AND r.key = d.key AND r.updated_at = d.updated_at`,
        [id, keys, upd],
      );
      await c.query('COMMIT');
      return res.rowCount ?? 0;
    },
  };
  return { driver, close: () => c.end() };
}

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
const pgUrl = (db: string) => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
};

interface Side {
  /** A fresh copy of the ingested store; returns its locator, the raw driver and the cleanup. */
  fresh(
    round: number,
    side: string,
  ): Promise<{
    store: Record<string, string>;
    raw: () => Promise<{ driver: RawDriver; close: () => unknown }>;
    drop: () => Promise<void>;
  }>;
}

async function compare(label: string, events: number, side: Side, scratch: string, notes: string[]) {
  const arch: ArchiveRound[] = [];
  const floor: FloorRound[] = [];
  const partitioning = benchConfig({ sqlite: 'unused.db' }, 'unused').datasets[0]!.partitioning;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['archive', 'floor'] : ['floor', 'archive'];
    for (const which of order) {
      const copy = await side.fresh(round, which);
      const objects = join(scratch, `objects-${label}-${round}-${which}`);
      try {
        if (which === 'archive') arch.push(await archiveOnce(copy.store, objects));
        else {
          const raw = await copy.raw();
          try {
            floor.push(await floorOnce(raw.driver, objects, partitioning));
          } finally {
            await raw.close();
          }
        }
      } finally {
        rmSync(objects, { recursive: true, force: true });
        await copy.drop();
      }
    }
  }
  const wall = (performance.now() - started) / 1000;
  for (const a of arch)
    if (a.records !== events) throw new Error(`${label}: archive deleted ${a.records} of ${events}`);
  for (const f of floor)
    if (f.records !== events) throw new Error(`${label}: floor deleted ${f.records} of ${events}`);
  const m = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
  const a = {
    ms: m(arch, (x) => x.ms),
    upload: m(arch, (x) => x.uploadMs),
    verify: m(arch, (x) => x.verifyMs),
    del: m(arch, (x) => x.deleteMs),
    verifyCmd: m(arch, (x) => x.verifyCommandMs),
    raw: arch[0]!.rawBytes,
    gz: arch[0]!.bytes,
  };
  const f = {
    ms: m(floor, (x) => x.ms),
    upload: m(floor, (x) => x.uploadMs),
    verify: m(floor, (x) => x.verifyMs),
    del: m(floor, (x) => x.deleteMs),
    raw: floor[0]!.rawBytes,
    gz: floor[0]!.bytes,
  };
  const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
  const rps = (ms: number) => events / (ms / 1000);
  const n = events.toLocaleString('en-US');
  const figures: Figure[] = [
    {
      name: `${label}: archive run of ${n} events (write + verify + delete), uncompressed JSON Lines`,
      value: mbps(a.raw, a.ms),
      unit: 'MB/s',
      baseline: { name: 'raw driver + node:zlib loop (same three steps)', value: mbps(f.raw, f.ms) },
      ratio: mbps(a.raw, a.ms) / mbps(f.raw, f.ms),
    },
    {
      name: `${label}: archive run of ${n} events (write + verify + delete)`,
      value: rps(a.ms),
      unit: 'records/s',
      baseline: { name: 'raw driver + node:zlib loop', value: rps(f.ms) },
      ratio: rps(a.ms) / rps(f.ms),
    },
    {
      name: `${label}: write step (read rows, JSON Lines, gzip, object put), uncompressed JSON Lines`,
      value: mbps(a.raw, a.upload),
      unit: 'MB/s',
      baseline: { name: 'raw driver rows → zlib → synced file', value: mbps(f.raw, f.upload) },
      ratio: mbps(a.raw, a.upload) / mbps(f.raw, f.upload),
    },
    {
      name: `${label}: verify step inside the run (read back, sha256, gunzip, parse every line)`,
      value: a.verify / 1000,
      unit: 's',
      baseline: { name: 'file read back, sha256, gunzip, JSON.parse', value: f.verify / 1000 },
      ratio: a.verify / f.verify,
    },
    {
      name: `${label}: verify step as a share of the archive run`,
      value: (a.verify / a.ms) * 100,
      unit: '%',
    },
    {
      name: `${label}: \`archive verify\` afterwards (read-only, every part)`,
      value: a.verifyCmd / 1000,
      unit: 's',
    },
    {
      name: `${label}: delete step (ranges marked archived, records deleted in batches of ${DELETE_BATCH})`,
      value: rps(a.del),
      unit: 'records/s',
      baseline: { name: 'raw driver deletes, same batches', value: rps(f.del) },
      ratio: rps(a.del) / rps(f.del),
    },
    {
      name: `${label}: compression ratio (uncompressed JSON Lines / gzip bytes)`,
      value: a.raw / a.gz,
      unit: 'x',
      baseline: { name: 'node:zlib level 6, same lines', value: f.raw / f.gz },
      ratio: a.raw / a.gz / (f.raw / f.gz),
    },
  ];
  notes.push(
    `${label}: ${n} events, ${arch[0]!.parts} parts, ${(a.raw / MB).toFixed(1)} MB of JSON Lines → ${(a.gz / MB).toFixed(1)} MB gzip; ` +
      `medians of ${ROUNDS} rounds: archive run ${(a.ms / 1000).toFixed(1)} s (write ${(a.upload / 1000).toFixed(1)} s, verify ${(a.verify / 1000).toFixed(1)} s, delete ${(a.del / 1000).toFixed(1)} s), ` +
      `floor ${(f.ms / 1000).toFixed(1)} s (write ${(f.upload / 1000).toFixed(1)} s, verify ${(f.verify / 1000).toFixed(1)} s, delete ${(f.del / 1000).toFixed(1)} s); ` +
      `all rounds of both sides took ${wall.toFixed(0)} s of wall time`,
    `${label} rounds (archive s / floor s): ${arch.map((x) => (x.ms / 1000).toFixed(1)).join(', ')} / ${floor.map((x) => (x.ms / 1000).toFixed(1)).join(', ')}`,
  );
  return figures;
}

export async function runArchiveBench(): Promise<SuiteResult> {
  const figures: Figure[] = [];
  const notes: string[] = [
    `gateway events like the demo's (path, method, status, client of 20,000, log-normal latency_ms; hourly calendar partitions) spread evenly over ${DAYS} UTC days, ingested once through engine.ingest in batches of ${INGEST_BATCH}; each round starts from a copy of that store`,
    'archive side: archiver.run(dataset) of the archive module runtime (what `gapwarden archive run` and the `archive` job call), 1-day retention, folder object store, manual clock; phases timed from its step hooks (write: until `uploaded`; verify: read back whole until `verified`; delete: archived ranges + batches until `deleted`)',
    'floor side: the same rows per day through the raw driver (better-sqlite3 iterate / one pg query), the same JSON Lines through node:zlib gzip level 6 to a synced file, read back (sha256, gunzip, JSON.parse per line), deleted by key and updated_at in the same batches — no manifest, no states, no rename',
    `MB/s are MiB of uncompressed JSON Lines per second of the step(s) named; sides alternate first each round; load average at start ${(
      await import('node:os')
    )
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  ];
  const scratch = mkdtempSync(join(tmpdir(), 'gapwarden-bench-archive-'));
  try {
    // SQLite: one ingest, a file copy per round.
    const template = join(scratch, 'template.db');
    const ingestRate = await ingestAll({ sqlite: template }, EVENTS, scratch);
    {
      const db = new Database(template);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
    notes.push(
      `SQLite: ingest of ${EVENTS.toLocaleString('en-US')} events ${Math.round(ingestRate).toLocaleString('en-US')} events/s (setup, not a figure)`,
    );
    figures.push(
      ...(await compare(
        'SQLite',
        EVENTS,
        {
          async fresh(round, which) {
            const file = join(scratch, `r${round}-${which}.db`);
            copyFileSync(template, file);
            return {
              store: { sqlite: file },
              raw: async () => sqliteDriver(file),
              drop: async () => {
                for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
              },
            };
          },
        },
        scratch,
        notes,
      )),
    );

    if (PG_EVENTS > 0) {
      const tmpl = `gapwarden_bench_archive_${process.pid}`;
      try {
        await admin(`DROP DATABASE IF EXISTS ${tmpl} WITH (FORCE)`);
        await admin(`CREATE DATABASE ${tmpl}`);
        try {
          const rate = await ingestAll({ postgres: pgUrl(tmpl) }, PG_EVENTS, scratch);
          notes.push(
            `PostgreSQL: sized down to ${PG_EVENTS.toLocaleString('en-US')} events (time budget); ingest ${Math.round(rate).toLocaleString('en-US')} events/s (setup); each round a CREATE DATABASE … TEMPLATE copy`,
          );
          figures.push(
            ...(await compare(
              'PostgreSQL',
              PG_EVENTS,
              {
                async fresh(round, which) {
                  const db = `${tmpl}_${round}_${which}`;
                  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
                  await admin(`CREATE DATABASE ${db} TEMPLATE ${tmpl}`);
                  return {
                    store: { postgres: pgUrl(db) },
                    raw: () => pgDriver(pgUrl(db)),
                    drop: () => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`),
                  };
                },
              },
              scratch,
              notes,
            )),
          );
        } finally {
          await admin(`DROP DATABASE IF EXISTS ${tmpl} WITH (FORCE)`);
        }
      } catch (err) {
        notes.push(`PostgreSQL side not run: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return suite('archive', figures, notes);
}
