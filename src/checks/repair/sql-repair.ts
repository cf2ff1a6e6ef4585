import { GapwardenError } from '../../internal/errors.js';
import type { RepairQueryable, RepairSqlConnection } from './repair-connection.js';
import type { NewRepairAction, RepairAction, RepairChange } from './repair-journal.js';
import type { RepairFinding } from './repair-plan.js';
import { decodeValue, encodeRows, encodeValue, type RowImage, sameRows } from './row-image.js';
import { param, parseSqlTemplate, quoteIdentifier, type RenderedSql, renderSql } from './sql-template.js';

/** A compiled SQL repair. */
export interface SqlRepairSpec {
  statement: string;
  table: string;
  keyColumn: string;
}

/** The variables a template sees for one finding: its fields, then `key` and `now`. */
export function templateVars(f: RepairFinding, now: Date): Record<string, unknown> {
  return { ...f.fields, key: f.value ?? f.key, now };
}

/** Renders the statement for each finding, as a dry run shows it and a real run executes it. */
export function renderSqlRepair(spec: SqlRepairSpec, dialect: RepairQueryable['dialect']) {
  const parts = parseSqlTemplate(spec.statement);
  return (f: RepairFinding, now: Date): RenderedSql => renderSql(parts, templateVars(f, now), dialect);
}

/** Reads the rows of `table` for each key: one statement per 500 keys. */
async function readImages(
  q: RepairQueryable,
  spec: SqlRepairSpec,
  findings: readonly RepairFinding[],
): Promise<Map<string, RowImage[]>> {
  const out = new Map<string, Record<string, unknown>[]>(findings.map((f) => [f.key, []]));
  const table = quoteIdentifier(spec.table, q.dialect);
  const column = quoteIdentifier(spec.keyColumn, q.dialect);
  for (let i = 0; i < findings.length; i += 500) {
    const chunk = findings.slice(i, i + 500);
    const marks = chunk.map((_, j) => param(j + 1, q.dialect)).join(', ');
    const { rows } = await q.query(
      `SELECT * FROM ${table} WHERE ${column} IN (${marks})`,
      chunk.map((f) => f.value ?? f.key),
    );
    for (const row of rows) out.get(keyOf(row, spec.keyColumn))?.push(row);
  }
  return new Map([...out].map(([k, rows]) => [k, encodeRows(rows)]));
}

function keyOf(row: Record<string, unknown>, keyColumn: string): string {
  const column = keyColumn.includes('.') ? keyColumn.slice(keyColumn.lastIndexOf('.') + 1) : keyColumn;
  const v = row[column] ?? row[column.toLowerCase()];
  return v instanceof Date ? v.toISOString() : String(v);
}

/**
 * Runs one batch of a SQL repair in one transaction: the before-images of
 * every finding's rows, the statement per finding, the after-images. A
 * finding whose rows did not change is `unchanged` (the statement found it
 * already right); a failing statement rolls the whole batch back and throws.
 */
export async function runSqlBatch(
  conn: RepairSqlConnection,
  spec: SqlRepairSpec,
  batch: readonly RepairFinding[],
  now: Date,
  seq: { next: number; batch: number },
): Promise<NewRepairAction[]> {
  const render = renderSqlRepair(spec, conn.dialect);
  return conn.transaction(async (tx) => {
    const before = await readImages(tx, spec, batch);
    const rendered: RenderedSql[] = [];
    for (const f of batch) {
      const r = render(f, now);
      try {
        await tx.query(r.sql, r.params);
      } catch (err) {
        throw new GapwardenError(
          'CHECK_FAILED',
          `the repair statement failed for key ${f.key}: ${(err as Error).message}`,
          {
            cause: err,
            details: { key: f.key },
          },
        );
      }
      rendered.push(r);
    }
    const after = await readImages(tx, spec, batch);
    const at = now.getTime();
    return batch.map((f, i) => {
      const b = before.get(f.key) ?? [];
      const a = after.get(f.key) ?? [];
      const change: RepairChange = {
        kind: 'sql',
        statement: rendered[i]!.sql,
        params: rendered[i]!.params.map(encodeValue),
        table: spec.table,
        keyColumn: spec.keyColumn,
        before: b,
        after: a,
      };
      return {
        seq: seq.next++,
        batch: seq.batch,
        key: f.key,
        outcome: sameRows(b, a) ? ('unchanged' as const) : ('repaired' as const),
        change,
        error: null,
        at,
      };
    });
  });
}

/** A row a rollback will not overwrite: it changed after the repair. */
export interface RollbackConflict {
  key: string;
  expected: RowImage[];
  found: RowImage[];
}

/**
 * Undoes the SQL actions of a run in one transaction: first every key's
 * current rows are compared with what the repair left; if any differ, nothing
 * is undone and the conflicts are returned. Otherwise each key's rows are
 * deleted and its before-image inserted back, exactly as it was read.
 */
export async function rollbackSqlActions(
  conn: RepairSqlConnection,
  actions: readonly RepairAction[],
): Promise<{ conflicts: RollbackConflict[]; restored: number }> {
  const sqlActions = actions.filter(
    (a): a is RepairAction & { change: Extract<RepairChange, { kind: 'sql' }> } => a.change.kind === 'sql',
  );
  if (sqlActions.length === 0) return { conflicts: [], restored: 0 };
  const first = sqlActions[0]!.change;
  const spec = { statement: '', table: first.table, keyColumn: first.keyColumn };
  return conn.transaction(async (tx) => {
    const findings = sqlActions.map((a) => ({ key: a.key, value: keyValue(a), fields: {} }));
    const current = await readImages(tx, spec, findings);
    const conflicts: RollbackConflict[] = [];
    for (const a of sqlActions) {
      const found = current.get(a.key) ?? [];
      if (!sameRows(found, a.change.after)) conflicts.push({ key: a.key, expected: a.change.after, found });
    }
    if (conflicts.length > 0) return { conflicts, restored: 0 };
    const table = quoteIdentifier(spec.table, tx.dialect);
    const column = quoteIdentifier(spec.keyColumn, tx.dialect);
    for (let i = 0; i < findings.length; i += 500) {
      const chunk = findings.slice(i, i + 500);
      const marks = chunk.map((_, j) => param(j + 1, tx.dialect)).join(', ');
      await tx.query(
        `DELETE FROM ${table} WHERE ${column} IN (${marks})`,
        chunk.map((f) => f.value),
      );
    }
    let restored = 0;
    for (const a of sqlActions) {
      for (const row of a.change.before) {
        const columns = Object.keys(row);
        const values = columns.map((c) => decodeValue(row[c]!));
        await tx.query(
          `INSERT INTO ${table} (${columns.map((c) => quoteIdentifier(c, tx.dialect)).join(', ')})
            VALUES (${columns.map((_, j) => param(j + 1, tx.dialect)).join(', ')})`,
          values,
        );
        restored += 1;
      }
    }
    return { conflicts: [], restored };
  });
}

/** The key as the repair bound it (its first parameter equal to the key, else the key text). */
function keyValue(a: RepairAction & { change: Extract<RepairChange, { kind: 'sql' }> }): unknown {
  const fromImage = a.change.before[0]?.[a.change.keyColumn] ?? a.change.after[0]?.[a.change.keyColumn];
  return fromImage === undefined ? a.key : decodeValue(fromImage);
}
