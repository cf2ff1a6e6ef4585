import type { ModuleContext } from '../core/module.js';
import { type ArchiveOutcome, type ArchiverOptions, createArchiver } from './archive-runner.js';
import { createObjectStore } from './object-store/create-object-store.js';
import type { ObjectStore } from './object-store/object-store.js';
import type { ArchiveManifest, ArchiveState, ArchiveStore } from './store/archive-store.js';
import { archiveStorePart } from './store/archive-store-part.js';

export interface ArchiveOptions {
  /** An object store of the embedder's (tests, other backends); default: the config's. */
  objects?: ObjectStore;
  /** Observes each recorded step (tests use it to crash between steps). */
  onStep?: ArchiverOptions['onStep'];
  pageSize?: number;
}

/** Storage used per dataset, from the manifests. */
export interface ArchiveUsage {
  dataset: string;
  parts: number;
  records: number;
  /** Bytes of objects still in the object store (expired ones excluded). */
  bytes: number;
  rawBytes: number;
  byState: Partial<Record<ArchiveState, number>>;
  oldestDay: string | null;
  newestDay: string | null;
}

/** The archive module's runtime: the store part, the object store and the archiver. */
export function createArchive(ctx: ModuleContext, options: ArchiveOptions = {}) {
  const store: ArchiveStore = ctx.store.part(archiveStorePart);
  const objects = options.objects ?? createObjectStore(ctx.config.archive.store);
  const listeners = new Set<(o: ArchiveOutcome) => void>();
  const count = (o: ArchiveOutcome) => {
    for (const l of listeners) l(o);
  };
  const archiver = createArchiver({
    archive: store,
    objects,
    datasets: ctx.config.datasets,
    config: ctx.config.archive,
    clock: ctx.clock,
    logger: ctx.logger,
    onOutcome: count,
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });

  return {
    store,
    objects,
    archiver,
    /** Observes each part's outcome (metrics); returns the detach. */
    onOutcome(listener: (o: ArchiveOutcome) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Where objects go, for people. */
    describeObjects: () => objects.description,
    /** Retention settings per dataset, as configured. */
    lifecycle: () => ctx.config.archive.datasets,
    /** Storage used per dataset with a retention or with manifests. */
    async usage(): Promise<ArchiveUsage[]> {
      const all = await store.listManifests({ limit: 1_000_000 });
      const names = new Set([
        ...ctx.config.archive.datasets.map((d) => d.dataset),
        ...all.map((m) => m.dataset),
      ]);
      return [...names].map((dataset) =>
        usageOf(
          dataset,
          all.filter((m) => m.dataset === dataset),
        ),
      );
    },
    async stop() {
      await objects.close();
    },
  };
}

function usageOf(dataset: string, parts: readonly ArchiveManifest[]): ArchiveUsage {
  const u: ArchiveUsage = {
    dataset,
    parts: parts.length,
    records: 0,
    bytes: 0,
    rawBytes: 0,
    byState: {},
    oldestDay: null,
    newestDay: null,
  };
  for (const m of parts) {
    u.byState[m.state] = (u.byState[m.state] ?? 0) + 1;
    if (m.state === 'expired' || m.state === 'uploading') continue;
    u.records += m.records;
    u.bytes += m.bytes;
    u.rawBytes += m.rawBytes;
    if (u.oldestDay === null || m.day < u.oldestDay) u.oldestDay = m.day;
    if (u.newestDay === null || m.day > u.newestDay) u.newestDay = m.day;
  }
  return u;
}

export type Archive = ReturnType<typeof createArchive>;
