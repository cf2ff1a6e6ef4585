import type { GapwardenModule } from '../core/module.js';
import { registerJobMetrics } from './job-metrics.js';
import { jobRoutes } from './job-routes.js';
import { registerJobsCli } from './jobs-cli.js';
import { createJobs, type Jobs } from './jobs-runtime.js';

/**
 * The jobs module: schedules (cron in a zone, intervals, windows), catch-up
 * and overlap policies, leases in its store part, run history. It defines no
 * job kind itself: it runs the kinds the core, the engine and the other
 * modules register. The worked example of docs/architecture.md.
 */
export const jobsModule: GapwardenModule<Jobs> = {
  name: 'jobs',
  create: createJobs,
  start: (jobs, options) => jobs.start(options),
  stop: (jobs) => jobs.stop(),
  routes: jobRoutes,
  metrics: (registry, ctx, jobs) =>
    registerJobMetrics(registry, ctx.events, ctx.config.jobs, jobs.missedRuns()),
  cli: registerJobsCli,
  dashboard: { path: '/jobs', title: 'Jobs' },
};
