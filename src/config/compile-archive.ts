import { isAbsolute, resolve } from 'node:path';
import { parseDuration } from '../domain/duration.js';
import type { ConfigIssue } from '../internal/errors.js';
import type { ArchiveConfig } from './archive-schema.js';
import type { CompiledArchive, CompiledDatasetLifecycle, CompiledObjectStore } from './compiled-archive.js';
import type { CompiledDataset } from './compiled-config.js';

const DAY_MS = 86_400_000;

/**
 * Compiles the `archive` section: the object store (a folder relative to the
 * config file by default) and each dataset's retention. A retention needs a
 * calendar dataset (days are computed from partition instants) of at least a
 * day, and an archive must be kept longer than the detail it replaces.
 */
export function compileArchive(
  input: ArchiveConfig | undefined,
  datasets: readonly CompiledDataset[],
  baseDir: string,
  issues: ConfigIssue[],
): CompiledArchive {
  const store = compileObjectStore(input?.store, baseDir);
  const out: CompiledDatasetLifecycle[] = [];
  for (const [name, ds] of Object.entries(input?.datasets ?? {})) {
    const path = `archive.datasets.${name}`;
    const dataset = datasets.find((d) => d.name === name);
    if (!dataset) {
      issues.push({
        path,
        expected: `one of the datasets (${datasets.map((d) => d.name).join(', ') || 'none'})`,
        found: JSON.stringify(name),
        message: 'a retention names a dataset of this config',
      });
      continue;
    }
    if (dataset.partitioning.kind !== 'calendar') {
      issues.push({
        path,
        expected: 'a dataset partitioned by a calendar',
        found: 'a sequence dataset',
        message: 'retention archives whole days, which a sequence dataset does not have',
      });
      continue;
    }
    const retentionMs = parseDuration(ds.retention) ?? 0;
    const keepArchivesMs = ds.keepArchives === undefined ? undefined : (parseDuration(ds.keepArchives) ?? 0);
    if (retentionMs < DAY_MS) {
      issues.push({
        path: `${path}.retention`,
        expected: 'at least "1d"',
        found: JSON.stringify(ds.retention),
        message: 'records are archived by whole days: a retention shorter than a day would archive today',
      });
    }
    if (keepArchivesMs !== undefined && keepArchivesMs <= retentionMs) {
      issues.push({
        path: `${path}.keepArchives`,
        expected: `longer than retention (${JSON.stringify(ds.retention)})`,
        found: JSON.stringify(ds.keepArchives),
        message:
          'an archive kept no longer than the detail it replaces would be deleted as soon as it is written',
      });
    }
    out.push({
      dataset: name,
      retentionMs,
      keepArchivesMs,
      deleteBatch: ds.deleteBatch ?? 5000,
      restoreHoldMs: ds.restoreHold === undefined ? DAY_MS : (parseDuration(ds.restoreHold) ?? DAY_MS),
    });
  }
  return { store, datasets: out };
}

function compileObjectStore(input: ArchiveConfig['store'], baseDir: string): CompiledObjectStore {
  if (input === undefined || 'folder' in input) {
    const folder = input?.folder ?? 'archive';
    return { kind: 'folder', path: isAbsolute(folder) ? folder : resolve(baseDir, folder) };
  }
  const s3 = input.s3;
  return {
    kind: 's3',
    bucket: s3.bucket,
    prefix: s3.prefix ?? '',
    region: s3.region ?? 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle ?? s3.endpoint !== undefined,
    credentials:
      s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined
        ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
        : undefined,
  };
}
