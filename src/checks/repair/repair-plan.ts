import { GapwardenError } from '../../internal/errors.js';

/** One finding a repair acts on: its key and the fields the check reported with it. */
export interface RepairFinding {
  /** The key as text: what the journal, `--keys` and the dashboard show. */
  key: string;
  /** The key as the database returned it, bound as is into statements. @default key */
  value?: unknown;
  fields: Readonly<Record<string, unknown>>;
}

/** How much of the findings a run takes on. */
export interface RepairPlanOptions {
  batchSize: number;
  max: number;
  /** Only these keys (`--keys k1,k2`); a key that is not a current finding is reported, not repaired. */
  keys?: readonly string[] | undefined;
}

/** What a run will act on: batches in order, and what it leaves out and why. */
export interface RepairPlan {
  batches: RepairFinding[][];
  /** Findings in the plan. */
  total: number;
  /** Findings seen beyond `max`, left for a later run (a run asks for `max + 1`: 1 means "more remain"). */
  deferred: number;
  /** `--keys` entries that are not current findings (fixed already, or never missing). */
  notFindings: string[];
}

/**
 * Plans a run: the findings (deduplicated by key, in the order the check gave
 * them), narrowed to `keys` if given, capped at `max`, cut into batches of
 * `batchSize`. Pure: the same findings and options give the same plan.
 */
export function planRepair(findings: readonly RepairFinding[], options: RepairPlanOptions): RepairPlan {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `batch size must be a positive integer; got ${options.batchSize}`,
    );
  }
  if (!Number.isInteger(options.max) || options.max < 1) {
    throw new GapwardenError('REQUEST_INVALID', `max must be a positive integer; got ${options.max}`);
  }
  const seen = new Set<string>();
  let unique = findings.filter((f) => !seen.has(f.key) && seen.add(f.key));
  const notFindings: string[] = [];
  if (options.keys) {
    const wanted = new Set(options.keys);
    unique = unique.filter((f) => wanted.has(f.key));
    for (const k of wanted) if (!seen.has(k)) notFindings.push(k);
  }
  const taken = unique.slice(0, options.max);
  const batches: RepairFinding[][] = [];
  for (let i = 0; i < taken.length; i += options.batchSize)
    batches.push(taken.slice(i, i + options.batchSize));
  return { batches, total: taken.length, deferred: unique.length - taken.length, notFindings };
}

/** Parses `--keys k1,k2` (blank entries dropped); undefined when not given. */
export function parseKeyList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const keys = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (keys.length === 0)
    throw new GapwardenError('REQUEST_INVALID', '--keys needs at least one key (k1,k2,...)');
  return keys;
}
