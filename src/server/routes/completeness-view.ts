import { partitionBound } from '../../backfill/backfill-plan.js';
import {
  type BucketKind,
  type CompletenessBucket,
  completenessBuckets,
  DEFAULT_BUCKETS,
} from '../../coverage/completeness.js';
import type { Engine } from '../../engine/engine.js';
import { GapwardenError } from '../../internal/errors.js';

export interface CompletenessQuery {
  bucket: BucketKind | 'auto';
  from?: string | undefined;
  to?: string | undefined;
  maxBuckets?: number | undefined;
}

/** What `GET /api/datasets/{name}/completeness` answers. */
export interface CompletenessView {
  bucket: BucketKind;
  blockSize: number | null;
  /** The partitions the buckets span: the asked range within the dataset's. */
  from: number | string | null;
  to: number | string | null;
  /** The dataset's whole expected range, to zoom back out to. */
  range: { from: number | string; to: number | string } | null;
  buckets: CompletenessBucket[];
}

/**
 * Completeness of a dataset's whole range (or of `from`–`to` within it) in at most
 * `maxBuckets` buckets. Parameters are checked before anything depends on the
 * records, so an empty dataset answers alike.
 */
export async function completenessView(
  engine: Engine,
  name: string,
  query: CompletenessQuery,
): Promise<CompletenessView> {
  const rt = engine.dataset(name);
  const p = rt.config.partitioning;
  const from = partitionBound(rt, query.from, 'from');
  const to = partitionBound(rt, query.to, 'to');
  if (from !== undefined && to !== undefined && from > to)
    throw new GapwardenError('REQUEST_INVALID', `from ${query.from} is after to ${query.to}`);
  const window = rt.coverage.window();
  const empty = (bucket: BucketKind): CompletenessView => ({
    bucket,
    blockSize: null,
    from: null,
    to: null,
    range: window ? { from: p.valueOf(window[0]), to: p.valueOf(window[1]) } : null,
    buckets: [],
  });
  // With nothing to cut, the bucket said is the one asked for, as far as the dataset has it.
  const asked =
    p.kind === 'sequence'
      ? 'block'
      : query.bucket === 'auto' || query.bucket === 'block'
        ? 'day'
        : query.bucket;
  if (!window) return empty(asked);
  const lo = Math.max(window[0], from ?? window[0]);
  const hi = Math.min(window[1], to ?? window[1]);
  if (lo > hi) return empty(asked);
  const knownMissing = await engine.store.loadKnownMissing(name);
  const present = { countIn: (a: number, b: number) => rt.coverage.countPresent(a, b) };
  const result = completenessBuckets({
    partitioning: p,
    present,
    knownMissing,
    window: [lo, hi],
    bucket: query.bucket,
    maxBuckets: query.maxBuckets ?? DEFAULT_BUCKETS,
  });
  return {
    ...result,
    from: p.valueOf(lo),
    to: p.valueOf(hi),
    range: { from: p.valueOf(window[0]), to: p.valueOf(window[1]) },
  };
}
