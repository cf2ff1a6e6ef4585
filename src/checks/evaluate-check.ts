import type { CompiledCheck } from '../config/compiled-checks.js';
import type { Core } from '../core/core.js';
import type { CheckOutcome } from './check-outcome.js';
import type { CheckConnection } from './connections/check-connection.js';
import { consistencyQueriesFor } from './consistency/consistency-queries.js';
import { runDatasetCheck } from './datasets/run-dataset-check.js';
import { runSqlCheck } from './sql-check/run-sql-check.js';
import { runVolume } from './volume/run-volume.js';

/** Evaluates one check over [fromMs, toMs) with the evaluator of its kind. Throws what the database threw. */
export function evaluateCheck(
  check: CompiledCheck,
  deps: { connection: (name: string) => CheckConnection; core: Core },
  fromMs: number,
  toMs: number,
): Promise<CheckOutcome> {
  switch (check.kind) {
    case 'consistency':
      return consistencyQueriesFor(check, deps).evaluate(fromMs, toMs, check.sample);
    case 'sql':
      return runSqlCheck(check, deps.connection(check.connection), fromMs, toMs);
    case 'volume':
      return runVolume(check, deps.connection(check.connection), fromMs, toMs);
    case 'freshness':
    case 'gaps':
      return runDatasetCheck(check, deps.core, fromMs, toMs);
  }
}
