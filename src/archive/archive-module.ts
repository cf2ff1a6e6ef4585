import type { GapwardenModule } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { registerArchiveCli } from './archive-cli.js';
import { registerArchiveMetrics } from './archive-metrics.js';
import { archiveRoutes } from './archive-routes.js';
import { type Archive, type ArchiveOptions, createArchive } from './archive-runtime.js';

/**
 * The archive module: retention per dataset. Detail records of days older
 * than a dataset's retention are written as gzip JSON Lines objects (a folder
 * or an S3-compatible bucket), read back and checked, then deleted in
 * batches; coverage keeps their partitions present. Runs as the job kind
 * `archive` (a job's `dataset`, or every dataset with a retention).
 */
export function createArchiveModule(options: ArchiveOptions = {}): GapwardenModule<Archive> {
  return {
    name: 'archive',
    create: (ctx) => createArchive(ctx, options),
    stop: (archive) => archive.stop(),
    jobKinds: (_ctx, archive) => [
      {
        kind: 'archive',
        async run(job, runCtx) {
          const reports = await archive.archiver.run(job.dataset, runCtx.signal);
          const errors = reports.flatMap((r) => r.errors.map((e) => `${r.dataset} ${e}`));
          if (errors.length > 0) throw new GapwardenError('CHECK_FAILED', `archive: ${errors.join('; ')}`);
          return { records: reports.reduce((n, r) => n + r.deletedRecords, 0) };
        },
      },
    ],
    routes: (_ctx, archive) => archiveRoutes(archive),
    metrics: (registry, _ctx, archive) => registerArchiveMetrics(registry, archive),
    cli: registerArchiveCli,
    dashboard: { path: '/archive', title: 'Archive' },
  };
}

export const archiveModule: GapwardenModule<Archive> = createArchiveModule();
