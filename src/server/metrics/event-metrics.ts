import { Counter, Histogram, type Registry } from 'prom-client';
import type { CompiledDataset } from '../../config/compiled-config.js';
import type { EventBus } from '../../internal/events.js';

/**
 * The `source` label of records handed to gapwarden rather than fetched by it
 * (library `ingest`, the push API): they carry no source name.
 */
export const PUSHED_SOURCE_LABEL = 'push';

const INGEST_OUTCOMES = ['inserted', 'updated', 'unchanged'] as const;
const BACKFILL_OUTCOMES = ['filled', 'not_found', 'deferred', 'retry', 'failed'] as const;

/** Backfill of one partition: a token wait excluded, a slow upstream with retries included. */
const BACKFILL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** A gap found to its partition stored: a quick backfill (ms) to a long outage of the source (a day). */
const DETECT_TO_FILL_BUCKETS = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400,
];
const FILLED_BY = ['backfill', 'ingest'] as const;
/** One HTTP exchange: fast on loopback, up to a source's timeout (30 s by default) at worst. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Registers the counters and histograms fed by lifecycle events and subscribes
 * to the bus. Label sets of configured datasets and sources start at zero, so
 * `rate()` and `increase()` see the first event instead of a series appearing.
 * Returns the function that unsubscribes.
 */
export function registerEventMetrics(
  registry: Registry,
  events: EventBus,
  datasets: readonly CompiledDataset[],
): () => void {
  const registers = [registry];
  const ingested = new Counter({
    name: 'gapwarden_records_ingested_total',
    help: 'Valid records stored or recognised, by outcome: inserted (new key), updated (payload replaced), unchanged (already stored as is, or kept by onConflict).',
    labelNames: ['dataset', 'source', 'outcome'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'gapwarden_records_rejected_total',
    help: 'Records rejected, each once: items of a source response that could not be mapped (collect and backfill), and records with a bad key, partition or payload at ingest. Equals the rejected count in the store.',
    labelNames: ['dataset', 'source'] as const,
    registers,
  });
  const gapsOpened = new Counter({
    name: 'gapwarden_gaps_opened_total',
    help: 'Gaps found at insert time.',
    labelNames: ['dataset'] as const,
    registers,
  });
  const detectToFill = new Histogram({
    name: 'gapwarden_gap_detect_to_fill_seconds',
    help: 'From the moment this process found a gap to the moment each of its partitions was stored, by what stored it: backfill, or ingest (the record arrived late by itself). Gaps already open when the process started are not observed.',
    labelNames: ['dataset', 'filled_by'] as const,
    buckets: DETECT_TO_FILL_BUCKETS,
    registers,
  });
  const backfillAttempts = new Counter({
    name: 'gapwarden_backfill_attempts_total',
    help: 'Backfill attempts for one partition, by outcome: filled, not_found (known missing), deferred (not published upstream yet, asked again later), retry (will be tried again), failed (gave up).',
    labelNames: ['dataset', 'outcome'] as const,
    registers,
  });
  const backfillDuration = new Histogram({
    name: 'gapwarden_backfill_duration_seconds',
    help: 'Time to fetch and store one backfilled partition, from the request to the stored record.',
    labelNames: ['dataset'] as const,
    buckets: BACKFILL_BUCKETS,
    registers,
  });
  const requests = new Counter({
    name: 'gapwarden_source_requests_total',
    help: 'HTTP requests sent to sources (each retry and page counts), by call and outcome: ok, not_found, rate_limited, timeout, http_4xx, http_5xx, network, malformed (not JSON, too large, failed success predicate, no item list), rejected (every item rejected by the mapping).',
    labelNames: ['dataset', 'source', 'kind', 'outcome'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'gapwarden_source_request_duration_seconds',
    help: 'Duration of one HTTP request to a source, from sending it to the end of the body.',
    labelNames: ['dataset', 'source'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const collectFailures = new Counter({
    name: 'gapwarden_collect_failures_total',
    help: 'Scheduled collections that failed (every source failed or the records could not be stored).',
    labelNames: ['dataset'] as const,
    registers,
  });

  for (const ds of datasets) {
    const dataset = ds.name;
    gapsOpened.inc({ dataset }, 0);
    collectFailures.inc({ dataset }, 0);
    for (const filled_by of FILLED_BY) detectToFill.zero({ dataset, filled_by });
    for (const outcome of BACKFILL_OUTCOMES) backfillAttempts.inc({ dataset, outcome }, 0);
    for (const { name: source } of ds.sources) {
      rejected.inc({ dataset, source }, 0);
      for (const outcome of INGEST_OUTCOMES) ingested.inc({ dataset, source, outcome }, 0);
    }
  }

  const unsubscribe = [
    events.on('records:ingested', (e) => {
      const labels = { dataset: e.dataset, source: e.source ?? PUSHED_SOURCE_LABEL };
      for (const outcome of INGEST_OUTCOMES) ingested.inc({ ...labels, outcome }, e[outcome]);
      rejected.inc(labels, e.rejected);
    }),
    events.on('gap:opened', (e) => gapsOpened.inc({ dataset: e.dataset })),
    events.on('gap:closed', (e) => {
      if (e.openForMs !== null)
        detectToFill.observe({ dataset: e.dataset, filled_by: e.by }, e.openForMs / 1000);
    }),
    events.on('backfill:filled', (e) => {
      backfillAttempts.inc({ dataset: e.dataset, outcome: 'filled' });
      backfillDuration.observe({ dataset: e.dataset }, e.ms / 1000);
    }),
    events.on('backfill:not-found', (e) =>
      backfillAttempts.inc({ dataset: e.dataset, outcome: 'not_found' }),
    ),
    events.on('backfill:deferred', (e) => backfillAttempts.inc({ dataset: e.dataset, outcome: 'deferred' })),
    events.on('backfill:retry', (e) => backfillAttempts.inc({ dataset: e.dataset, outcome: 'retry' })),
    events.on('backfill:failed', (e) => backfillAttempts.inc({ dataset: e.dataset, outcome: 'failed' })),
    events.on('source:request', (e) => {
      requests.inc({ dataset: e.dataset, source: e.source, kind: e.kind, outcome: e.outcome });
      requestDuration.observe({ dataset: e.dataset, source: e.source }, e.ms / 1000);
    }),
    events.on('collect:failed', (e) => collectFailures.inc({ dataset: e.dataset })),
  ];
  return () => {
    for (const off of unsubscribe) off();
  };
}
