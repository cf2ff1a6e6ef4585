import type { CompiledServer } from '../config/compiled-config.js';
import type { Engine } from '../engine/engine.js';

/** What every route factory receives. */
export interface ServerContext {
  engine: Engine;
  server: CompiledServer;
  /** The package version, reported by /health and the OpenAPI document. */
  version: string;
}
