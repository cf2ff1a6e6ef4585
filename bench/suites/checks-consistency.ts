// A consistency check over PARENTS SUCCESS tasks and their outputs (1% missing, delays spread over
// 0..10 min) on SQLite, PostgreSQL and MariaDB, side by side with the hand-written anti-join a person
// would run for the same figures. Sizes: GAPWARDEN_BENCH_CONSISTENCY_PARENTS (default 1,000,000),
// GAPWARDEN_BENCH_CONSISTENCY_ROUNDS (3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksModule } from '../../src/checks/checks-module.js';
import { compileConfig } from '../../src/config/compile-config.js';
import type { ConnectionDialect } from '../../src/config/compiled-checks.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';
import { createTeamDb, type TeamDb } from '../lib/team-db.js';

const PARENTS = Number(process.env.GAPWARDEN_BENCH_CONSISTENCY_PARENTS ?? 1_000_000);
const ROUNDS = Number(process.env.GAPWARDEN_BENCH_CONSISTENCY_ROUNDS ?? 3);
/** Task i finished at BASE + i seconds; its output (unless i % 100 = 0) came (i * 7919) % 600,000 ms later. */
const BASE = Date.UTC(2026, 0, 1);
const FROM = BASE;
const TO = BASE + (PARENTS + 1) * 1000;
const LATE_MS = 300_000;
const SAMPLE = 100;

/** Fills the tables in the database itself (generate_series, MariaDB's sequence engine, a recursive CTE). */
async function seed(db: TeamDb): Promise<void> {
  const d = db.dialect;
  const ts = d === 'postgres' ? 'timestamptz' : d === 'mysql' ? 'DATETIME(3)' : 'TEXT';
  await db.conn.query(
    `CREATE TABLE tasks (id BIGINT PRIMARY KEY, status VARCHAR(16) NOT NULL, finished_at ${ts} NOT NULL)`,
  );
  await db.conn.query(
    `CREATE TABLE task_outputs (id BIGINT PRIMARY KEY, task_id BIGINT NOT NULL, created_at ${ts} NOT NULL)`,
  );
  const delay = 'MOD(i * 7919, 600000)';
  if (d === 'postgres') {
    const at = (ms: string) => `to_timestamp((${BASE}::bigint + ${ms}) / 1000.0)`;
    await db.conn.query(
      `INSERT INTO tasks SELECT i, 'SUCCESS', ${at('i * 1000')} FROM generate_series(1::bigint, ${PARENTS}::bigint) i`,
    );
    await db.conn.query(
      `INSERT INTO task_outputs SELECT i, i, ${at(`i * 1000 + ${delay}`)} FROM generate_series(1::bigint, ${PARENTS}::bigint) i WHERE i % 100 <> 0`,
    );
  } else if (d === 'mysql') {
    const at = (ms: string) => `FROM_UNIXTIME((${BASE} + ${ms}) / 1000)`;
    await db.conn.query(
      `INSERT INTO tasks SELECT seq, 'SUCCESS', ${at('seq * 1000')} FROM seq_1_to_${PARENTS}`,
    );
    await db.conn.query(
      `INSERT INTO task_outputs SELECT seq, seq, ${at(`seq * 1000 + MOD(seq * 7919, 600000)`)} FROM seq_1_to_${PARENTS} WHERE MOD(seq, 100) <> 0`,
    );
  } else {
    const at = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${BASE} + ${ms}) / 1000.0, 'unixepoch')`;
    const series = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${PARENTS})`;
    await db.conn.query(`INSERT INTO tasks ${series} SELECT i, 'SUCCESS', ${at('i * 1000')} FROM s`);
    await db.conn.query(
      `INSERT INTO task_outputs ${series} SELECT i, i, ${at(`i * 1000 + ${delay.replace('MOD(i * 7919, 600000)', '((i * 7919) % 600000)')}`)} FROM s WHERE i % 100 <> 0`,
    );
  }
  await db.conn.query('CREATE INDEX task_outputs_task ON task_outputs (task_id)');
  await db.conn.query('CREATE INDEX tasks_finished ON tasks (finished_at)');
}

interface Figures {
  parents: number;
  matched: number;
  p50: number;
  p95: number;
  max: number;
  late: number;
  sample: number;
}

/**
 * The hand-written side: one anti-join summary (counts, nearest-rank p50/p95, max, late) and the
 * oldest SAMPLE tasks without an output, written for each database directly.
 */
async function handWritten(db: TeamDb): Promise<Figures> {
  const d = db.dialect;
  const win =
    d === 'postgres'
      ? `t.finished_at >= $1::timestamptz AND t.finished_at < $2::timestamptz`
      : d === 'mysql'
        ? 't.finished_at >= ? AND t.finished_at < ?'
        : 'julianday(t.finished_at) >= julianday(?) AND julianday(t.finished_at) < julianday(?)';
  const bounds =
    d === 'mysql'
      ? [new Date(FROM), new Date(TO)]
      : [new Date(FROM).toISOString(), new Date(TO).toISOString()];
  const diff =
    d === 'postgres'
      ? 'EXTRACT(EPOCH FROM min(o.created_at) - t.finished_at) * 1000'
      : d === 'mysql'
        ? 'TIMESTAMPDIFF(MICROSECOND, t.finished_at, min(o.created_at)) / 1000'
        : 'ROUND((julianday(min(o.created_at)) - julianday(t.finished_at)) * 86400000.0)';
  const delays = `SELECT t.id, ${diff} AS d FROM tasks t LEFT JOIN task_outputs o ON o.task_id = t.id
    WHERE t.status = 'SUCCESS' AND ${win} GROUP BY t.id, t.finished_at`;
  const summary =
    d === 'postgres'
      ? `SELECT count(*) AS parents, count(d) AS matched, percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS p50,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY d) AS p95, max(d) AS max,
           count(*) FILTER (WHERE d > ${LATE_MS}) AS late FROM (${delays}) x`
      : `SELECT count(*) AS parents, count(d) AS matched,
           max(CASE WHEN rn = (50 * n + 99) DIV 100 THEN d END) AS p50,
           max(CASE WHEN rn = (95 * n + 99) DIV 100 THEN d END) AS p95,
           max(d) AS max, sum(CASE WHEN d > ${LATE_MS} THEN 1 ELSE 0 END) AS late
         FROM (SELECT d, CASE WHEN d IS NULL THEN NULL ELSE ROW_NUMBER() OVER (PARTITION BY d IS NULL ORDER BY d) END AS rn,
           count(d) OVER () AS n FROM (${delays}) j) x`.replaceAll(' DIV ', d === 'sqlite' ? ' / ' : ' DIV ');
  const { rows } = await db.conn.query(summary, bounds);
  const r = rows[0]!;
  const missing = await db.conn.query(
    `SELECT t.id, t.finished_at FROM tasks t WHERE t.status = 'SUCCESS' AND ${win}
       AND NOT EXISTS (SELECT 1 FROM task_outputs o WHERE o.task_id = t.id) ORDER BY t.finished_at, t.id LIMIT ${SAMPLE}`,
    bounds,
  );
  return {
    parents: Number(r.parents),
    matched: Number(r.matched),
    p50: Number(r.p50),
    p95: Number(r.p95),
    max: Number(r.max),
    late: Number(r.late),
    sample: missing.rows.length,
  };
}

async function benchDialect(dialect: ConnectionDialect, figures: Figure[], notes: string[]) {
  let db: TeamDb;
  try {
    db = await createTeamDb(dialect, 'gapwarden-bench-consistency-');
  } catch (err) {
    notes.push(`${dialect}: skipped, server not reachable (${(err as Error).message})`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gapwarden-bench-checks-store-'));
  const config = compileConfig(
    {
      store: { sqlite: join(dir, 'store.db') },
      server: { enabled: false },
      datasets: {},
      connections: { app: { [dialect]: db.target, queryTimeout: '10m' } },
      checks: {
        outputs: {
          kind: 'consistency',
          connection: 'app',
          parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
          children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
          lateAfter: `${LATE_MS}ms`,
          sample: SAMPLE,
        },
      },
    },
    { baseDir: dir, env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  try {
    const seeded = performance.now();
    await seed(db);
    notes.push(
      `${dialect}: seeded ${PARENTS.toLocaleString('en-US')} tasks in ${Math.round(performance.now() - seeded)} ms`,
    );
    await engine.open();
    const checks = engine.module(checksModule);
    const gw: number[] = [];
    const raw: number[] = [];
    let agreed = '';
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['gapwarden', 'raw'] : ['raw', 'gapwarden'];
      for (const which of order) {
        const t0 = performance.now();
        if (which === 'gapwarden') {
          const run = await checks.run('outputs', { fromMs: FROM, toMs: TO, trigger: 'manual' });
          gw.push(performance.now() - t0);
          if (run.status === 'error') throw new Error(`${dialect}: the check failed: ${run.error}`);
          agreed = JSON.stringify([
            run.total,
            run.findings,
            run.delay?.p50,
            run.delay?.p95,
            run.delay?.max,
            run.delay?.late,
          ]);
        } else {
          const h = await handWritten(db);
          raw.push(performance.now() - t0);
          const mine = JSON.stringify([h.parents, h.parents - h.matched, h.p50, h.p95, h.max, h.late]);
          if (agreed && mine !== agreed)
            throw new Error(`${dialect}: figures differ: gapwarden ${agreed}, hand-written ${mine}`);
        }
      }
    }
    notes.push(`${dialect}: [parents, missing, p50, p95, max, late] = ${agreed} on both sides`);
    const m = median(gw);
    const b = median(raw);
    figures.push({
      name: `${dialect}: consistency check over ${PARENTS.toLocaleString('en-US')} parents and ${(PARENTS * 0.99).toLocaleString('en-US')} children`,
      value: m,
      unit: 'ms',
      baseline: { name: 'the hand-written anti-join and sample queries', value: b },
      ratio: m / b,
      target: 'within 1.25x',
      met: m / b <= 1.25,
    });
  } finally {
    await engine.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

export async function runChecksConsistencyBench(): Promise<SuiteResult> {
  const figures: Figure[] = [];
  const notes = [
    `median of ${ROUNDS} rounds each, alternating which side goes first; 1% of tasks (every 100th) without an output; delays (i * 7919) mod 10 min; late over ${LATE_MS / 60_000} min`,
    `gapwarden side: the checks module's run as serve runs it (engine.module(checksModule).run over the whole range): the summary statement it generates, the sample of ${SAMPLE} missing parents, scoring, and the run kept in a SQLite store`,
    `hand-written side: one anti-join summary written for each database (PostgreSQL percentile_disc; MariaDB and SQLite ROW_NUMBER nearest rank) and the same ${SAMPLE}-row sample with NOT EXISTS, through the same driver; both sides must agree on every figure or the run fails`,
  ];
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) await benchDialect(dialect, figures, notes);
  return suite('checks-consistency', figures, notes);
}
