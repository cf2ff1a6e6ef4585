import { parseDuration } from '../domain/duration.js';
import type { ConfigIssue } from '../internal/errors.js';
import type {
  CheckRepairConfig,
  HttpCallConfig,
  RepairFunction,
  RepairUndoFunction,
} from './check-repairs-schema.js';

/** One HTTP call of a repair, with its defaults resolved. */
export interface CompiledHttpCall {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Readonly<Record<string, string>>;
  /** A JSON template; undefined sends no body. */
  body: unknown;
}

export type CompiledRepairAction =
  | { kind: 'sql'; connection: string; statement: string; table: string; keyColumn: string }
  | { kind: 'http'; call: CompiledHttpCall; undo: CompiledHttpCall | undefined; timeoutMs: number }
  | { kind: 'backfill'; dataset: string }
  | { kind: 'function'; run: RepairFunction; undo: RepairUndoFunction | undefined };

/** A check's repair, fully resolved. */
export interface CompiledCheckRepair {
  action: CompiledRepairAction;
  /** @default 500 */
  batchSize: number;
  /** @default 10000 */
  max: number;
}

/** What the repair of one check is compiled against. */
export interface CheckRepairContext {
  /** The field path of the check (`checks.<name>`), for issues. */
  path: string;
  /** The check's kind: only consistency and gaps checks have findings a repair can act on. */
  kind: string;
  /** The check's own connection, if it has one. */
  connection?: string | undefined;
  /** The check's dataset (freshness and gaps checks). */
  dataset?: string | undefined;
  /** Every configured connection by name: whether it allows writes. */
  connections: Readonly<Record<string, { writable?: boolean | undefined }>>;
  /** Every configured dataset name. */
  datasets: readonly string[];
}

export const DEFAULT_REPAIR_BATCH_SIZE = 500;
export const DEFAULT_REPAIR_MAX = 10_000;
const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** Placeholders are `{{name}}` or `{{a.b}}`; anything else between braces is a typo worth reporting. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

function templateIssue(text: string, path: string, issues: ConfigIssue[]): void {
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    issues.push({
      path,
      expected: 'placeholders written {{key}}, {{now}} or {{<finding field>}}',
      found: JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text),
      message: 'a repair template has an unclosed or malformed {{...}} placeholder',
    });
  }
}

function compileCall(call: HttpCallConfig, path: string, issues: ConfigIssue[]): CompiledHttpCall {
  templateIssue(call.url, `${path}.url`, issues);
  return { url: call.url, method: call.method ?? 'POST', headers: call.headers ?? {}, body: call.body };
}

/**
 * Which repairs a check kind can run: a consistency check's findings are rows
 * of the team's database (sql, http, function); a gaps check's are partitions
 * of a dataset (backfill, http, function). Other kinds have no findings to act on.
 */
const REPAIRS_BY_KIND: Readonly<Record<string, readonly string[]>> = {
  consistency: ['sql', 'http', 'function'],
  gaps: ['backfill', 'http', 'function'],
};

function kindIssue(at: CheckRepairContext, action: string, path: string, issues: ConfigIssue[]): void {
  const allowed = REPAIRS_BY_KIND[at.kind];
  if (!allowed) {
    issues.push({
      path,
      expected: 'no repair: section (repairs act on the findings of consistency and gaps checks)',
      found: `a ${action} repair on a ${at.kind} check`,
      message: `a ${at.kind} check has no findings a repair can act on`,
    });
  } else if (!allowed.includes(action)) {
    issues.push({
      path: `${path}.${action}`,
      expected: `one of ${allowed.join(', ')} for a ${at.kind} check`,
      found: `a ${action} repair`,
      message:
        at.kind === 'gaps'
          ? "a gaps check's findings are partitions of a dataset: repair them with backfill (or http, function)"
          : "a consistency check's findings are rows of the team's database: repair them with sql (or http, function)",
    });
  }
}

/**
 * Compiles a check's `repair:` section. A SQL repair writes, so its
 * connection must exist and be marked `writable: true`; a backfill repair
 * needs a known dataset. Each problem is an issue with its field path.
 */
export function compileCheckRepair(
  repair: CheckRepairConfig | undefined,
  at: CheckRepairContext,
  issues: ConfigIssue[],
): CompiledCheckRepair | undefined {
  if (!repair) return undefined;
  const path = `${at.path}.repair`;
  const batchSize = repair.batchSize ?? DEFAULT_REPAIR_BATCH_SIZE;
  const max = repair.max ?? DEFAULT_REPAIR_MAX;
  const before = issues.length;
  let action: CompiledRepairAction | undefined;
  if (repair.sql) {
    const connection = repair.sql.connection ?? at.connection;
    const conn = connection === undefined ? undefined : at.connections[connection];
    if (connection === undefined || !conn) {
      issues.push({
        path: `${path}.sql.connection`,
        expected: `one of the connections: ${Object.keys(at.connections).join(', ') || '(none configured)'}`,
        found:
          connection === undefined ? 'nothing (the check has no connection)' : JSON.stringify(connection),
        message: 'a SQL repair needs a configured connection',
      });
    } else if (conn.writable !== true) {
      issues.push({
        path: `${path}.sql.connection`,
        expected: `connections.${connection}.writable: true`,
        found: `connection "${connection}" is read-only`,
        message: `a SQL repair writes: mark connections.${connection} writable, or repair through another connection`,
      });
    }
    templateIssue(repair.sql.statement, `${path}.sql.statement`, issues);
    action = {
      kind: 'sql',
      connection: connection ?? '',
      statement: repair.sql.statement,
      table: repair.sql.table,
      keyColumn: repair.sql.keyColumn,
    };
  } else if (repair.http) {
    const h = repair.http;
    action = {
      kind: 'http',
      call: compileCall(h, `${path}.http`, issues),
      undo: h.undo ? compileCall(h.undo, `${path}.http.undo`, issues) : undefined,
      timeoutMs: h.timeout === undefined ? DEFAULT_HTTP_TIMEOUT_MS : (parseDuration(h.timeout) ?? 0),
    };
  } else if (repair.backfill) {
    const dataset = repair.backfill.dataset ?? at.dataset;
    if (dataset === undefined || !at.datasets.includes(dataset)) {
      issues.push({
        path: `${path}.backfill.dataset`,
        expected: `one of the datasets: ${at.datasets.join(', ') || '(none configured)'}`,
        found: dataset === undefined ? 'nothing (the check has no dataset)' : JSON.stringify(dataset),
        message: 'a backfill repair needs a configured dataset',
      });
    }
    action = { kind: 'backfill', dataset: dataset ?? '' };
  } else if (repair.function) {
    action = { kind: 'function', run: repair.function.run, undo: repair.function.undo };
  }
  if (action) kindIssue(at, action.kind, path, issues);
  if (!action || issues.length > before) return undefined;
  return { action, batchSize, max };
}
