import type { CompiledStreamPipeline } from '../../config/compiled-streams.js';
import type { PipelineDefinition } from '../pipeline/pipeline.js';

/** The pipeline core's definition of a compiled pipeline (the runner's own settings left out). */
export function toPipelineDefinition(p: CompiledStreamPipeline): PipelineDefinition {
  return {
    name: p.name,
    keyBy: p.keyBy,
    topics: p.topics.map((t) => ({ name: t.name, global: t.global })),
    window: { ...p.window },
    cadenceMs: p.cadenceMs,
    fills: p.fills,
    idleExpiryMs: p.idleExpiryMs,
    modules: p.modules.map((m) => ({ name: m.name, dependsOn: m.dependsOn, run: m.run as never })),
    ...(p.batch ? { batch: { ...p.batch } } : {}),
    concurrency: p.concurrency,
  };
}
