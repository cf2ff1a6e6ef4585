import { checkHorizon } from '../domain/partition-horizon.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import type { Store } from '../store/store.js';

/** How often at most the backfill asks a source's `latest` how far it has published. */
export const PROBE_INTERVAL_MS = 10_000;

/**
 * Notes that the dataset's sources delivered `ordinal`: coverage learns it at
 * once, and the store keeps it (one write each time it grows) so a restart
 * still knows how far the sources have published.
 */
export async function noteSourceNewest(store: Store, rt: DatasetRuntime, ordinal: number): Promise<void> {
  if (rt.coverage.noteSourceNewest(ordinal)) await store.noteSourceNewest(rt.config.name, ordinal);
}

/**
 * Decides, before a partition is asked for, whether a "not found" answer would
 * be final: it is when the source has already delivered a newer partition.
 * When this process does not know that, it reads what the processes sharing
 * the store have noted; when that does not tell either, the source's `latest` is asked how far it has
 * published (at most once per PROBE_INTERVAL_MS per dataset; callers meanwhile
 * share the answer, which can only be older, never newer, than the truth). A
 * sequence whose source has no `latest` and never delivered anything keeps
 * the old rule: "not found" is final.
 */
export function createNotFoundJudge(deps: { store: Store; clock: Clock; logger: Logger }) {
  const { store, clock, logger } = deps;
  const probes = new Map<string, { at: number; done: Promise<boolean> }>();

  async function probe(rt: DatasetRuntime, signal: AbortSignal): Promise<boolean> {
    const ds = rt.config;
    try {
      const res = await rt.source!.latest(signal);
      const ordinals: number[] = [];
      for (const r of res.records) {
        const o = ds.partitioning.toOrdinal(r.partition);
        if (typeof o === 'number') ordinals.push(o);
      }
      // A far-off partition in the answer says nothing about how far the source has really got.
      const refused = new Set(
        checkHorizon({
          partitioning: ds.partitioning,
          horizon: ds.horizon,
          ordinals,
          newest: rt.coverage.newest(),
          nowMs: clock.now(),
          setting: '',
        }).map((b) => b.position),
      );
      let newest: number | undefined;
      ordinals.forEach((o, i) => {
        if (!refused.has(i) && (newest === undefined || o > newest)) newest = o;
      });
      if (newest !== undefined) await noteSourceNewest(store, rt, newest);
      return true;
    } catch (err) {
      logger.warn({
        msg: 'could not ask the source how far it has published',
        dataset: ds.name,
        error: describeError(err),
      });
      return false;
    }
  }

  return async function notFoundIsFinal(
    rt: DatasetRuntime,
    ordinal: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    let known = rt.coverage.notFoundIsFinal(ordinal, clock.now());
    if (known === true) return true;
    const name = rt.config.name;
    // Another process sharing the store may have collected further: what it noted costs one
    // read, where asking the source costs a request (whose answer would not be stored).
    const noted = await store.loadSourceNewest(name);
    if (noted !== null) {
      rt.coverage.noteSourceNewest(noted);
      known = rt.coverage.notFoundIsFinal(ordinal, clock.now());
      if (known === true) return true;
    }
    if (!rt.source?.capabilities.latest) return known ?? true;
    let last = probes.get(name);
    if (!last || clock.now() - last.at >= PROBE_INTERVAL_MS) {
      last = { at: clock.now(), done: probe(rt, signal) };
      probes.set(name, last);
    }
    const answered = await last.done;
    // Still unknown: a source that answered with nothing newer keeps the old rule; one that
    // could not answer is asked again on the next attempt.
    return rt.coverage.notFoundIsFinal(ordinal, clock.now()) ?? answered;
  };
}
