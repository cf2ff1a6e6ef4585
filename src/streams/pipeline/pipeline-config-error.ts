import { ConfigError, type ConfigIssue } from '../../internal/errors.js';

/**
 * A pipeline definition that cannot run: a module graph with a cycle or a missing module, a window
 * without a size, a non-positive cadence… Raised at config load (code `CONFIG_INVALID`), with every
 * problem listed and located by its path under `pipelines.<name>`.
 */
export class PipelineConfigError extends ConfigError {
  readonly pipeline: string;
  constructor(pipeline: string, issues: readonly ConfigIssue[]) {
    super(issues);
    this.name = 'PipelineConfigError';
    this.pipeline = pipeline;
  }
}
