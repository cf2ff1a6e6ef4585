import type { CompiledDataset } from '../config/compiled-config.js';
import type { DatasetCoverage } from '../coverage/dataset-coverage.js';
import type { Source, SourceHealth } from '../sources/source.js';

/** A source with failover across the dataset's sources, and their health. */
export interface DatasetSource extends Source {
  health(): SourceHealth[];
}

/** One dataset while the engine runs: its compiled options, live coverage and sources. */
export interface DatasetRuntime {
  readonly config: CompiledDataset;
  readonly coverage: DatasetCoverage;
  readonly source: DatasetSource | undefined;
}
