import { z } from 'zod';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "30s" or "5m"'),
]);

/** A table name used in generated SQL: a plain identifier, optionally schema-qualified. */
const identifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
    'a plain identifier (letters, digits and _, optionally schema.table)',
  );

/**
 * A SQL repair: `statement` runs once per finding, inside one transaction per
 * batch, on a connection marked `writable`. `{{key}}`, `{{now}}` and
 * `{{<finding field>}}` become bound parameters, never text in the SQL.
 * Before it runs, the rows of `table` whose `keyColumn` equals the finding's
 * key are read (the before-image); after it, read again: the journal keeps
 * both, and `rollback` puts the before-image back.
 *
 * @example
 * sql: {
 *   statement: "INSERT INTO task_outputs (task_id, created_at) SELECT {{key}}, {{now}} WHERE NOT EXISTS (SELECT 1 FROM task_outputs WHERE task_id = {{key}})",
 *   table: 'task_outputs', keyColumn: 'task_id',
 * }
 */
const sqlRepairSchema = z
  .object({
    /** The connection the statement runs on. @default the check's connection */
    connection: z.string().optional(),
    statement: z.string().min(1),
    /** The table the statement changes: its rows for a finding's key are the before-image. */
    table: identifier,
    /** The column of `table` holding the finding's key. */
    keyColumn: identifier,
  })
  .strict();

const httpCallSchema = z
  .object({
    /** `{{key}}` and `{{<finding field>}}` are replaced (URL-encoded in the URL). */
    url: z.string().url('an absolute http(s) URL'),
    /** @default 'POST' */
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** A JSON body template; string values get `{{...}}` replaced. @default none */
    body: z.unknown().optional(),
  })
  .strict();

/** An HTTP repair: one call per finding, and optionally the call that undoes it. */
const httpRepairSchema = httpCallSchema
  .extend({
    /** The call `rollback` makes per repaired finding; without it, a run of this repair cannot be rolled back. */
    undo: httpCallSchema.optional(),
    /** @default '10s' */
    timeout: duration.optional(),
  })
  .strict();

/** A backfill repair (dataset gaps): each finding's partitions are queued on the core's backfill. */
const backfillRepairSchema = z
  .object({
    /** @default the check's dataset */
    dataset: z.string().optional(),
  })
  .strict();

/** What a repair function receives for one finding. */
export interface RepairFunctionInput {
  check: string;
  key: string;
  finding: Readonly<Record<string, unknown>>;
  signal: AbortSignal;
}

/** What a repair function may return: recorded in the journal and passed to `undo`. */
export type RepairFunctionResult = Record<string, unknown> | undefined;

export type RepairFunction = (
  input: RepairFunctionInput,
  // biome-ignore lint/suspicious/noConfusingVoidType: a repair function that returns nothing is valid
) => Promise<RepairFunctionResult | void> | RepairFunctionResult | void;
export type RepairUndoFunction = (
  input: RepairFunctionInput & { result: RepairFunctionResult },
) => Promise<unknown> | unknown;

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `${what} must be a function (TypeScript config)` });

/** A repair in a TypeScript config: `run` per finding, `undo` for rollback. */
const functionRepairSchema = z
  .object({
    run: fn<RepairFunction>('repair.function.run'),
    undo: fn<RepairUndoFunction>('repair.function.undo').optional(),
  })
  .strict();

/**
 * A check's `repair:` section: exactly one of `sql`, `http`, `backfill` or
 * `function`, and the default batch size and cap of a run.
 */
export const checkRepairSchema = z
  .object({
    sql: sqlRepairSchema.optional(),
    http: httpRepairSchema.optional(),
    backfill: backfillRepairSchema.optional(),
    function: functionRepairSchema.optional(),
    /** Findings repaired per batch (one transaction for SQL). @default 500 */
    batchSize: z.number().int().positive().max(100_000).optional(),
    /** Findings repaired per run at most. @default 10000 */
    max: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const kinds = (['sql', 'http', 'backfill', 'function'] as const).filter((k) => r[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'a repair needs one of sql, http, backfill or function'
            : `a repair has exactly one kind; found ${kinds.join(' and ')}`,
      });
    }
  });

/** A check's `repair:` section as written in the config. */
export type CheckRepairConfig = z.input<typeof checkRepairSchema>;
export type SqlRepairConfig = z.input<typeof sqlRepairSchema>;
export type HttpRepairConfig = z.input<typeof httpRepairSchema>;
export type HttpCallConfig = z.input<typeof httpCallSchema>;
