// The public API: named re-exports only.

export { compileConfig } from './config/compile-config.js';
export type { CompiledConfig, CompiledDataset } from './config/compiled-config.js';
export type { DatasetConfig, GapwardenConfig } from './config/config-schema.js';
export { defineConfig } from './config/define-config.js';
export { loadConfig } from './config/load-config.js';
export type { Partitioning } from './domain/partitioning.js';
export { RangeSet } from './domain/range-set.js';
export type { BackfillReport, Engine, EngineOptions } from './engine/engine.js';
export { createEngine } from './engine/engine.js';
export type { DatasetStatus, GapInfo, StatusReport } from './engine/status-report.js';
export type { IngestResult } from './ingest/ingestor.js';
export type { Clock, ManualClock } from './internal/clock.js';
export { createManualClock, systemClock } from './internal/clock.js';
export type { ErrorCode } from './internal/errors.js';
export { ConfigError, GapwardenError } from './internal/errors.js';
export type { GapwardenEvents } from './internal/events.js';
export type { FetchResult, RawRecord, Source } from './sources/source.js';
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export { createSqliteStore } from './store/sqlite/sqlite-store.js';
export type { IngestWrite, RecordRow, Store } from './store/store.js';
