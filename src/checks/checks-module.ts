import { CHECK_JOB_KIND } from '../config/compiled-checks.js';
import type { GapwardenModule } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { registerCheckMetrics } from './check-metrics.js';
import { checkRoutes } from './check-routes.js';
import { registerChecksCli } from './checks-cli.js';
import { type Checks, createChecks } from './checks-runtime.js';
import { registerRepairCli } from './repair/repair-cli.js';
import { registerRepairMetrics } from './repair/repair-metrics.js';
import { repairRoutes } from './repair/repair-routes.js';
import { createRepairs, type Repairs } from './repair/repairs.js';

/** The module's instance: the checks runtime, with the repairs that act on its findings. */
export type ChecksWithRepairs = Checks & { readonly repairs: Repairs };

/**
 * The checks module: checks on the team's own databases (consistency, sql,
 * volume) and on gapwarden's datasets (freshness, gaps), each run scored,
 * kept and trended; `run-check` jobs run each profile on its schedule, and
 * every run is announced on the event bus (`check:ran`) for the alert rules.
 * Repairs (preview, batches, journal, rollback) act on a check's findings.
 */
export const checksModule: GapwardenModule<ChecksWithRepairs> = {
  name: 'checks',
  create: (ctx) => {
    const checks = createChecks(ctx);
    return Object.assign(checks, { repairs: createRepairs(ctx, checks) });
  },
  stop: (checks) => checks.stop(),
  jobKinds: (_ctx, checks) => [
    {
      kind: CHECK_JOB_KIND,
      async run(job, runCtx) {
        runCtx.signal.throwIfAborted();
        if (!job.check) {
          throw new GapwardenError(
            'CONFIG_INVALID',
            `job "${job.id}" of kind ${CHECK_JOB_KIND} names no check (these jobs come from checks.<name>.profiles)`,
          );
        }
        const run = await checks.run(job.check.name, {
          profile: job.check.profile as 'quick' | 'full' | 'deep',
          trigger: runCtx.trigger === 'manual' ? 'manual' : 'schedule',
        });
        // The run itself is the result (an unhealthy or error run is recorded, not a failed job).
        return { records: run.findings };
      },
    },
  ],
  routes: (_ctx, checks) => [...checkRoutes(checks), ...repairRoutes(checks.repairs)],
  metrics: (registry, ctx, checks) => {
    const detachChecks = registerCheckMetrics(registry, ctx.events, checks);
    const detachRepairs = registerRepairMetrics(registry, checks.repairs);
    return () => {
      detachChecks();
      detachRepairs();
    };
  },
  cli: (program, kit) => {
    registerChecksCli(program, kit);
    registerRepairCli(program, kit, (instance) => instance.repairs);
  },
  dashboard: { path: '/checks', title: 'Checks' },
};
