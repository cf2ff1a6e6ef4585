import type { GapwardenModule } from '../core/module.js';
import { registerRollupMetrics } from './rollup-metrics.js';
import type { RollupsOptions } from './rollup-options.js';
import { rollupRoutes } from './rollup-routes.js';
import { registerRollupsCli } from './rollups-cli.js';
import { createRollups, type Rollups } from './rollups-runtime.js';

/**
 * The rollups module: per dataset, records counted per dimension values and
 * time bucket (count, sum, min, max, unique values with HyperLogLog,
 * quantiles with t-digest), fed from the records actually inserted through a
 * durable cursor; series and top-N queries; versioned top-N snapshots.
 */
export function createRollupsModule(options: RollupsOptions = {}): GapwardenModule<Rollups> {
  return {
    name: 'rollups',
    create: (ctx) => createRollups(ctx, options),
    start: (rollups, startOptions) => rollups.start(startOptions),
    stop: (rollups) => rollups.stop(),
    jobKinds: (_ctx, rollups) => [
      {
        kind: 'rollups-apply',
        async run(_job, runCtx) {
          runCtx.signal.throwIfAborted();
          const results = await rollups.catchUp();
          return { records: results.reduce((n, r) => n + r.applied, 0) };
        },
      },
    ],
    routes: (ctx, rollups) => rollupRoutes(rollups, () => ctx.clock.now()),
    metrics: (registry, _ctx, rollups) => registerRollupMetrics(registry, rollups),
    cli: registerRollupsCli,
    dashboard: { path: '/rollups', title: 'Rollups' },
  };
}

export const rollupsModule: GapwardenModule<Rollups> = createRollupsModule();
