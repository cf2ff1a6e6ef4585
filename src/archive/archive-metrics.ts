import { Counter, Gauge, type Registry } from 'prom-client';
import type { Archive } from './archive-runtime.js';

/**
 * The archive's metrics: bytes archived and part outcomes counted in this
 * process; storage used (bytes and records in objects) read from the
 * manifests at each scrape, so every process sharing the store agrees.
 */
export function registerArchiveMetrics(registry: Registry, archive: Archive): () => void {
  const registers = [registry];
  const usage = async () => {
    try {
      return await archive.usage();
    } catch {
      return undefined;
    }
  };
  const metrics = [
    new Counter({
      name: 'gapwarden_archive_written_bytes_total',
      help: 'Bytes of verified archive objects whose records left the store, by dataset (this process).',
      labelNames: ['dataset'] as const,
      registers,
    }),
    new Counter({
      name: 'gapwarden_archive_runs_total',
      help: 'Archive parts by outcome (archived, verify-failed, restored, expired, error), by dataset (this process).',
      labelNames: ['dataset', 'outcome'] as const,
      registers,
    }),
    new Gauge({
      name: 'gapwarden_archive_stored_bytes',
      help: 'Bytes of archive objects in the object store (expired ones excluded), by dataset.',
      labelNames: ['dataset'] as const,
      registers,
      async collect() {
        for (const u of (await usage()) ?? []) this.set({ dataset: u.dataset }, u.bytes);
      },
    }),
    new Gauge({
      name: 'gapwarden_archive_records',
      help: 'Records held in archive objects (expired ones excluded), by dataset.',
      labelNames: ['dataset'] as const,
      registers,
      async collect() {
        for (const u of (await usage()) ?? []) this.set({ dataset: u.dataset }, u.records);
      },
    }),
  ];
  const written = metrics[0] as Counter<'dataset'>;
  const runs = metrics[1] as Counter<'dataset' | 'outcome'>;
  const detach = archive.onOutcome((o) => {
    runs.inc({ dataset: o.dataset, outcome: o.outcome });
    if (o.outcome === 'archived') written.inc({ dataset: o.dataset }, o.bytes);
  });
  return () => {
    detach();
    for (const m of metrics) registry.removeSingleMetric((m as unknown as { name: string }).name);
  };
}
