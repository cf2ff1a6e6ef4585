import type { CompiledArchive, CompiledDatasetLifecycle } from '../config/compiled-archive.js';
import type { CompiledDataset } from '../config/compiled-config.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError, hasCode } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import { dayOrdinals, dayStart, objectKeyOf, utcDay } from './archive-days.js';
import type { ArchiveLine } from './archive-format.js';
import { type ObjectReading, readArchiveObject, writeArchiveObject } from './archive-object-io.js';
import type { ObjectStore } from './object-store/object-store.js';
import type { ArchiveManifest, ArchiveRecord, ArchiveStore } from './store/archive-store.js';

const DAY_MS = 86_400_000;

/** A point in a part's life a test (or an embedding) can observe; a crash there must be harmless. */
export type ArchiveStep = 'uploaded' | 'verified' | 'deleting' | 'deleted-batch' | 'deleted';

/** What happened to one part, for metrics and logs. */
export interface ArchiveOutcome {
  dataset: string;
  outcome: 'archived' | 'verify-failed' | 'restored' | 'expired' | 'error';
  bytes: number;
  records: number;
}

export interface ArchiverOptions {
  archive: ArchiveStore;
  objects: ObjectStore;
  datasets: readonly CompiledDataset[];
  config: CompiledArchive;
  clock: Clock;
  logger: Logger;
  /** Records read per page when writing an object. @default 5000 */
  pageSize?: number;
  /** Called after each step is recorded (before the next begins). */
  onStep?: (step: ArchiveStep, manifest: ArchiveManifest) => Promise<void> | void;
  onOutcome?: (outcome: ArchiveOutcome) => void;
}

/** What one retention run did to one dataset. */
export interface RetentionReport {
  dataset: string;
  /** Days examined are those ending before now minus the retention. */
  throughDay: string | null;
  parts: { day: string; part: number; state: ArchiveManifest['state']; records: number; bytes: number }[];
  deletedRecords: number;
  expired: number;
  errors: string[];
}

/** Reading an object back against its manifest. */
export interface VerifyReport {
  id: number;
  dataset: string;
  day: string;
  part: number;
  ok: boolean;
  problem: string | null;
  expected: { records: number; bytes: number; sha256: string };
  found: ObjectReading | null;
  ms: number;
}

export interface RestoreReport {
  dataset: string;
  day: string;
  parts: number;
  records: number;
  /** Records put back (those still stored are left as they are). */
  inserted: number;
}

/** Compares a reading with its manifest; the problem in words, or null when they match. */
function mismatch(m: ArchiveManifest, r: ObjectReading): string | null {
  const problems: string[] = [];
  if (r.records !== m.records) problems.push(`${r.records} records where the manifest says ${m.records}`);
  if (r.bytes !== m.bytes) problems.push(`${r.bytes} bytes where the manifest says ${m.bytes}`);
  if (r.sha256 !== m.sha256)
    problems.push(`sha256 ${r.sha256.slice(0, 12)}… where the manifest says ${m.sha256.slice(0, 12)}…`);
  return problems.length > 0 ? `object ${m.objectKey}: ${problems.join('; ')}` : null;
}

/**
 * Retention and the archive: each part of a (dataset, day) moves through the
 * manifest states (see `ArchiveState`), each recorded before the next step,
 * so a run killed anywhere is resumed by the next one without losing or
 * duplicating a record. Nothing is deleted before the object has been read
 * back whole and matched its count and sha256 — and a resumed deletion reads
 * it back again first.
 */
export function createArchiver(options: ArchiverOptions) {
  const { archive, objects, clock, logger, config } = options;
  const pageSize = options.pageSize ?? 5000;
  const step = async (s: ArchiveStep, m: ArchiveManifest) => options.onStep?.(s, m);
  const outcome = (o: ArchiveOutcome) => options.onOutcome?.(o);

  const datasetOf = (name: string): CompiledDataset => {
    const ds = options.datasets.find((d) => d.name === name);
    if (!ds) throw new GapwardenError('DATASET_UNKNOWN', `no dataset "${name}" in the config`);
    return ds;
  };
  const lifecycleOf = (name: string): CompiledDatasetLifecycle => {
    const lc = config.datasets.find((d) => d.dataset === name);
    if (!lc) {
      datasetOf(name);
      throw new GapwardenError(
        'REQUEST_INVALID',
        `dataset "${name}" has no retention: add archive.datasets.${name}.retention to the config`,
      );
    }
    return lc;
  };

  /** The day's ordinals, searched from the dataset's oldest record (any ordinal works as a seed). */
  const rangeOf = async (ds: CompiledDataset, day: string) => {
    const seed = (await archive.oldestOrdinal(ds.name)) ?? ds.partitioning.firstOrdinal ?? 0;
    return dayOrdinals(ds.partitioning, day, seed);
  };

  async function* pagesOf(dataset: string, from: number, to: number): AsyncGenerator<ArchiveRecord[]> {
    let after: { ordinal: number; key: string } | undefined;
    for (;;) {
      const page = await archive.readRecords(dataset, from, to, after, pageSize);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { ordinal: last.ordinal, key: last.key };
    }
  }

  const upload = async (m: ArchiveManifest): Promise<ArchiveManifest> => {
    const ds = datasetOf(m.dataset);
    const { from, to } = await rangeOf(ds, m.day);
    const written = await writeArchiveObject(objects, m.objectKey, pagesOf(m.dataset, from, to), (o) =>
      ds.partitioning.valueOf(o),
    );
    const next = await archive.markUploaded(m.id, written, clock.now());
    logger.info({
      msg: 'archive uploaded',
      dataset: m.dataset,
      day: m.day,
      part: m.part,
      records: written.records,
      bytes: written.bytes,
    });
    await step('uploaded', next);
    return next;
  };

  /** Reads the object back whole; collects what deletion needs. Null reading: the object is missing or damaged. */
  const readBack = async (m: ArchiveManifest, collect: boolean) => {
    const keys: string[] = [];
    const updatedAt: number[] = [];
    const onBatch = collect
      ? (lines: ArchiveLine[]) => {
          for (const l of lines) {
            keys.push(l.key);
            updatedAt.push(l.updatedAt);
          }
        }
      : undefined;
    try {
      const reading = await readArchiveObject(objects, m.objectKey, onBatch);
      return { reading, problem: mismatch(m, reading), keys, updatedAt };
    } catch (err) {
      if (!hasCode(err, 'CHECK_FAILED', 'NOT_FOUND')) throw err;
      return { reading: null, problem: describeError(err), keys, updatedAt };
    }
  };

  const deleteListed = async (m: ArchiveManifest, keys: string[], updatedAt: number[], batch: number) => {
    for (let i = 0; i < keys.length; i += batch) {
      const rows = [];
      for (let j = i; j < Math.min(keys.length, i + batch); j++)
        rows.push({ key: keys[j]!, updatedAt: updatedAt[j]! });
      await archive.deleteRecords(m.id, rows, clock.now());
      await step('deleted-batch', m);
    }
  };

  /**
   * Drives one part to `deleted` (or `failed`): the state machine. `retryFailed`: a part that
   * failed verification in an earlier run is written again once.
   */
  const advance = async (start: ArchiveManifest, retryFailed: boolean): Promise<ArchiveManifest> => {
    let m = start;
    const batch = lifecycleOf(m.dataset).deleteBatch;
    let listed: { keys: string[]; updatedAt: number[] } | undefined;
    for (;;) {
      switch (m.state) {
        case 'failed':
          if (!retryFailed) return m;
          retryFailed = false;
          m = await archive.retryUpload(m.id, clock.now());
          break;
        case 'uploading':
          m = await upload(m);
          break;
        case 'uploaded':
        case 'restored':
        case 'verified': {
          // Read back before any deletion: count, size and sha256 must match the manifest.
          const back = await readBack(m, true);
          if (back.problem !== null) {
            logger.warn({
              msg: 'archive verification failed',
              dataset: m.dataset,
              day: m.day,
              part: m.part,
              problem: back.problem,
            });
            outcome({ dataset: m.dataset, outcome: 'verify-failed', bytes: 0, records: 0 });
            return archive.markFailed(m.id, back.problem, clock.now());
          }
          if (m.state !== 'verified') {
            m = await archive.markVerified(m.id, clock.now());
            await step('verified', m);
          }
          listed = back;
          m = await archive.startDeleting(m.id, clock.now());
          await step('deleting', m);
          break;
        }
        case 'deleting': {
          if (!listed) {
            // Resumed: read the object back again before deleting anything more.
            const back = await readBack(m, true);
            if (back.problem !== null) {
              throw new GapwardenError(
                'CHECK_FAILED',
                `archive part ${m.dataset} ${m.day} #${m.part} was verified, but its object no longer matches (${back.problem}); ` +
                  `${m.deletedRecords} records already deleted live only there: nothing more is deleted — restore the object from a copy and run again`,
                { details: { id: m.id } },
              );
            }
            listed = back;
          }
          await deleteListed(m, listed.keys, listed.updatedAt, batch);
          m = await archive.markDeleted(m.id, clock.now());
          logger.info({
            msg: 'archive deleted detail',
            dataset: m.dataset,
            day: m.day,
            part: m.part,
            records: m.deletedRecords,
          });
          outcome({ dataset: m.dataset, outcome: 'archived', bytes: m.bytes, records: m.records });
          await step('deleted', m);
          return m;
        }
        case 'deleted':
        case 'expired':
          return m;
      }
    }
  };

  /** Archives what is left of one day: resumes its parts, then writes a new part for the records still stored. */
  const archiveDay = async (dataset: string, day: string): Promise<ArchiveManifest[]> => {
    const ds = datasetOf(dataset);
    const lc = lifecycleOf(dataset);
    const now = clock.now();
    const done: ArchiveManifest[] = [];
    const parts = (await archive.listManifests({ dataset, day })).sort((a, b) => a.part - b.part);
    for (const p of parts) {
      if (p.state === 'restored' && (p.restoredAt ?? 0) + lc.restoreHoldMs > now) return done; // held
      if (p.state === 'deleted' || p.state === 'expired') continue;
      const m = await advance(p, true);
      done.push(m);
      if (m.state !== 'deleted') return done; // failed: no new part over records it still holds
    }
    const { from, to } = await rangeOf(ds, day);
    if (to < from || (await archive.countRecords(dataset, from, to)) === 0) return done;
    const m = await archive.beginPart(dataset, day, (part) => objectKeyOf(dataset, day, part), clock.now());
    done.push(await advance(m, false));
    return done;
  };

  /** Deletes the objects of parts whose day is older than `keepArchives`; the manifests stay, `expired`. */
  const expire = async (dataset: string): Promise<number> => {
    const lc = lifecycleOf(dataset);
    if (lc.keepArchivesMs === undefined) return 0;
    const before = utcDay(clock.now() - lc.keepArchivesMs);
    const old = (await archive.listManifests({ dataset, states: ['deleted'], limit: 100_000 })).filter(
      (m) => m.day < before,
    );
    for (const m of old) {
      await objects.delete(m.objectKey);
      await archive.markExpired(m.id, clock.now());
      outcome({ dataset, outcome: 'expired', bytes: m.bytes, records: m.records });
      logger.info({ msg: 'archive expired', dataset, day: m.day, part: m.part, bytes: m.bytes });
    }
    return old.length;
  };

  /** One retention pass over a dataset: unfinished parts resumed, eligible days archived, old archives expired. */
  const runDataset = async (dataset: string, signal?: AbortSignal): Promise<RetentionReport> => {
    const lc = lifecycleOf(dataset);
    const ds = datasetOf(dataset);
    const report: RetentionReport = {
      dataset,
      throughDay: null,
      parts: [],
      deletedRecords: 0,
      expired: 0,
      errors: [],
    };
    const note = (m: ArchiveManifest) => {
      report.parts.push({ day: m.day, part: m.part, state: m.state, records: m.records, bytes: m.bytes });
      if (m.state === 'deleted') report.deletedRecords += m.deletedRecords;
    };
    const days = new Set<string>();
    // Unfinished parts first, whatever their day: a crash left them.
    for (const m of await archive.listManifests({
      dataset,
      states: ['uploading', 'uploaded', 'verified', 'deleting', 'failed'],
      limit: 100_000,
    }))
      days.add(m.day);
    const cutoff = clock.now() - lc.retentionMs;
    const lastDay = utcDay(cutoff - DAY_MS);
    report.throughDay = lastDay;
    const oldest = await archive.oldestOrdinal(dataset);
    const firstInstant = oldest === null ? undefined : ds.partitioning.instantOf(oldest);
    if (firstInstant !== undefined) {
      for (let ms = dayStart(utcDay(firstInstant)); ms <= dayStart(lastDay); ms += DAY_MS)
        days.add(utcDay(ms));
    }
    // Restored days past their hold are archived again (their own object, verified again).
    for (const m of await archive.listManifests({
      dataset,
      states: ['restored'],
      toDay: lastDay,
      limit: 100_000,
    }))
      days.add(m.day);
    for (const day of [...days].sort()) {
      signal?.throwIfAborted();
      try {
        for (const m of await archiveDay(dataset, day)) {
          note(m);
          if (m.state === 'failed') report.errors.push(`${day} part ${m.part}: ${m.error}`);
        }
      } catch (err) {
        if (hasCode(err, 'ABORTED')) throw err;
        report.errors.push(`${day}: ${describeError(err)}`);
        outcome({ dataset, outcome: 'error', bytes: 0, records: 0 });
        logger.error({ msg: 'archive failed', dataset, day, error: describeError(err) });
      }
    }
    report.expired = await expire(dataset);
    return report;
  };

  return {
    /** Datasets with a retention, in config order. */
    datasets: () => config.datasets.map((d) => d.dataset),
    /** One retention pass: every dataset with a retention, or the one named. */
    async run(dataset?: string, signal?: AbortSignal): Promise<RetentionReport[]> {
      const names = dataset === undefined ? config.datasets.map((d) => d.dataset) : [dataset];
      const out: RetentionReport[] = [];
      for (const name of names) out.push(await runDataset(name, signal));
      return out;
    },
    archiveDay,
    expire,

    /** Reads objects back against their manifests; changes nothing. */
    async verify(dataset: string, day?: string): Promise<VerifyReport[]> {
      datasetOf(dataset);
      const parts = await archive.listManifests({ dataset, ...(day ? { day } : {}), limit: 100_000 });
      const out: VerifyReport[] = [];
      for (const m of parts.filter((p) => p.state !== 'uploading' && p.state !== 'expired')) {
        const started = performance.now();
        const back = await readBack(m, false);
        out.push({
          id: m.id,
          dataset,
          day: m.day,
          part: m.part,
          ok: back.problem === null,
          problem: back.problem,
          expected: { records: m.records, bytes: m.bytes, sha256: m.sha256 },
          found: back.reading,
          ms: performance.now() - started,
        });
      }
      return out;
    },

    /** Puts a day's archived records back into the store, after reading each object back whole. */
    async restore(dataset: string, day: string): Promise<RestoreReport> {
      datasetOf(dataset);
      dayStart(day);
      const parts = (await archive.listManifests({ dataset, day })).filter((m) =>
        ['deleted', 'deleting', 'restored'].includes(m.state),
      );
      if (parts.length === 0) {
        throw new GapwardenError(
          'NOT_FOUND',
          `no archived records of "${dataset}" on ${day} to restore (see archive list)`,
        );
      }
      const report: RestoreReport = { dataset, day, parts: parts.length, records: 0, inserted: 0 };
      for (const m of parts.sort((a, b) => a.part - b.part)) {
        const back = await readBack(m, false);
        if (back.problem !== null) {
          throw new GapwardenError(
            'CHECK_FAILED',
            `cannot restore ${dataset} ${day} part ${m.part}: ${back.problem}`,
          );
        }
        let inserted = 0;
        await readArchiveObject(objects, m.objectKey, async (lines) => {
          inserted += await archive.restoreRecords(dataset, lines);
        });
        await archive.markRestored(m.id, inserted, clock.now());
        report.records += m.records;
        report.inserted += inserted;
        outcome({ dataset, outcome: 'restored', bytes: m.bytes, records: inserted });
      }
      logger.info({
        msg: 'archive restored',
        dataset,
        day,
        records: report.records,
        inserted: report.inserted,
      });
      return report;
    },

    /**
     * Archived records of days `[fromDay, toDay]`, streamed from the objects in day and part
     * order (never all in memory); `batch` lines at a time.
     */
    async *read(
      dataset: string,
      fromDay: string,
      toDay: string,
      batch = 1000,
    ): AsyncGenerator<ArchiveLine[]> {
      datasetOf(dataset);
      dayStart(fromDay);
      dayStart(toDay);
      const parts = (
        await archive.listManifests({
          dataset,
          fromDay,
          toDay,
          states: ['verified', 'deleting', 'deleted', 'restored'],
          limit: 100_000,
        })
      ).sort((a, b) => (a.day === b.day ? a.part - b.part : a.day < b.day ? -1 : 1));
      for (const m of parts) {
        const queue: ArchiveLine[][] = [];
        // readArchiveObject pushes batches; hand them on as they come.
        let wake: (() => void) | undefined;
        let finished = false;
        let failure: unknown;
        const reading = readArchiveObject(
          objects,
          m.objectKey,
          async (lines) => {
            queue.push(lines);
            wake?.();
            // Back-pressure: wait until the consumer took it.
            while (queue.length > 2) await new Promise<void>((r) => setTimeout(r, 1));
          },
          batch,
        ).then(
          () => {
            finished = true;
            wake?.();
          },
          (err) => {
            failure = err;
            finished = true;
            wake?.();
          },
        );
        for (;;) {
          if (queue.length > 0) {
            yield queue.shift()!;
            continue;
          }
          if (finished) break;
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
        }
        await reading;
        if (failure) throw failure;
      }
    },
  };
}

export type Archiver = ReturnType<typeof createArchiver>;
