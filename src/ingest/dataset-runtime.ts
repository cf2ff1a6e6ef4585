import type { CompiledDataset } from '../config/compiled-config.js';
import type { DatasetCoverage } from '../coverage/dataset-coverage.js';
import type { GapDetections } from '../coverage/gap-detections.js';
import type { SourceHealth } from '../domain/source-health.js';
import type { Source } from '../sources/source.js';

/** A source with failover across the dataset's sources, and their health. */
export interface DatasetSource extends Source {
  health(): SourceHealth[];
  /** One of the sources alone (no failover; its errors name it); undefined when there is none of that name. */
  only(sourceName: string): Source | undefined;
}

/** One dataset while the engine runs: its compiled options, live coverage and sources. */
export interface DatasetRuntime {
  readonly config: CompiledDataset;
  readonly coverage: DatasetCoverage;
  /** When this process found each open gap (gap ages and the detect-to-fill histogram count from it). */
  readonly detections: GapDetections;
  readonly source: DatasetSource | undefined;
}
