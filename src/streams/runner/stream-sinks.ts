import type { CompiledStreamSink } from '../../config/compiled-streams.js';
import type { StreamSinkBatch, StreamSinkResult } from '../../config/stream-functions.js';
import type { Core } from '../../core/core.js';
import { GapwardenError } from '../../internal/errors.js';
import type { StreamClient } from '../clients/stream-client.js';
import type { BatchReport, ModuleResultOutput } from '../pipeline/pipeline.js';

/** Writes one commit's results and batch reports to every sink; resolves once all of them have them. */
export type SinkWriter = (
  results: readonly ModuleResultOutput[],
  batches: readonly BatchReport[],
) => Promise<void>;

export function toSinkResult(r: ModuleResultOutput): StreamSinkResult {
  return {
    kind: 'result',
    pipeline: r.pipeline,
    module: r.module,
    key: r.key,
    batchId: r.batchId,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    outputKey: r.outputKey,
    value: r.value,
  };
}

export function toSinkBatch(b: BatchReport): StreamSinkBatch {
  return {
    kind: 'batch',
    pipeline: b.pipeline,
    batchId: b.batchId,
    status: b.status,
    expectedKeys: b.expectedKeys,
    results: b.results,
    missingKeys: b.missingKeys,
    missingTopics: b.missingTopics,
    availabilityRatio: b.availabilityRatio,
  };
}

/**
 * The sinks of one pipeline. Each is idempotent by construction, since a
 * crash before the acknowledgement means the same items come again: a
 * topic sink publishes with the output key as its de-duplication id; a
 * dataset sink ingests records keyed by the output key (a repeat is
 * `unchanged`); a function sink is told to write by `outputKey`.
 */
export function createSinkWriter(options: {
  sinks: readonly CompiledStreamSink[];
  clientFor: (name: string) => StreamClient;
  core: Core;
}): SinkWriter {
  const picks = (modules: readonly string[] | undefined, r: ModuleResultOutput) =>
    modules === undefined || modules.includes(r.module);
  return async (results, batches) => {
    for (const sink of options.sinks) {
      if (sink.type === 'dataset') {
        const records = results
          .filter((r) => r.module === sink.module)
          .map((r) => ({
            key: r.outputKey,
            partition: new Date(r.windowEnd).toISOString(),
            payload: { key: r.key, module: r.module, batchId: r.batchId, value: r.value ?? null },
          }));
        if (records.length === 0) continue;
        const outcome = await options.core.ingest(sink.dataset, records, {
          source: `stream:${results[0]?.pipeline}`,
        });
        if (outcome.rejectedCount > 0) {
          // A rejected result would be acknowledged and lost: refuse the commit instead, loudly.
          throw new GapwardenError(
            'RECORD_INVALID',
            `dataset sink "${sink.dataset}" rejected ${outcome.rejectedCount} result(s): ${outcome.rejected[0]?.reason ?? ''}; its partitioning must accept ISO times`,
          );
        }
        continue;
      }
      const items: (StreamSinkResult | StreamSinkBatch)[] = results
        .filter((r) => picks(sink.modules, r))
        .map(toSinkResult);
      if (sink.batches) items.push(...batches.map(toSinkBatch));
      if (items.length === 0) continue;
      if (sink.type === 'function') {
        await sink.run(items);
        continue;
      }
      await options.clientFor(sink.client).publish(
        sink.topic,
        items.map((i) => ({
          body: i as unknown as Record<string, unknown>,
          key: i.kind === 'result' ? i.key : i.batchId,
          dedupeId: i.kind === 'result' ? i.outputKey : `${i.pipeline}/batch/${i.batchId}`,
        })),
      );
    }
  };
}
