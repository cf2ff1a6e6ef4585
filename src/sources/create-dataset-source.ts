import type { SourceHealth } from '../domain/source-health.js';
import type { Clock } from '../internal/clock.js';
import type { Logger } from '../internal/logger.js';
import type { Redact } from '../internal/redactor.js';
import { createFailoverSource, type FailoverSource } from './failover-source.js';
import { createFunctionSource } from './function-source.js';
import { createHttpSource } from './http/http-source.js';
import type { HttpSourceOptions } from './http/http-source-schema.js';
import { redactingSource } from './redacting-source.js';
import type { RawRecord, Source } from './source.js';
import type { SourceRequestReport } from './source-request.js';

/** A function source as a (TypeScript) config file declares it. */
export interface FunctionSourceConfigLike {
  name: string;
  type: 'function';
  latest?: ((signal: AbortSignal) => Promise<RawRecord[]> | RawRecord[]) | undefined;
  byKey?: ((vars: Record<string, string>, signal: AbortSignal) => Promise<RawRecord[] | null>) | undefined;
  byRange?:
    | ((
        from: Record<string, string>,
        to: Record<string, string>,
        signal: AbortSignal,
      ) => Promise<RawRecord[]> | RawRecord[])
    | undefined;
}

/** The part of a compiled dataset that decides its sources (structural, so sources/ does not import config/). */
export interface DatasetSourcesConfig {
  name: string;
  sources: readonly (HttpSourceOptions | FunctionSourceConfigLike)[];
  breaker: { failureThreshold: number; cooldownMs: number };
}

export interface DatasetSourceDeps {
  clock: Clock;
  logger: Logger;
  /** The fetch HTTP sources use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Called when one of the dataset's sources changes breaker state. */
  onStateChange?: (health: SourceHealth) => void;
  /** Called after every call one of the dataset's sources answered or failed. */
  onCallSettled?: (health: SourceHealth) => void;
  /** Called for every request an HTTP source sends upstream (function sources make none). */
  onRequest?: (report: SourceRequestReport) => void;
  /** Masks the configuration's secrets in every error a source throws (and in logged URLs). */
  redact?: Redact;
}

/**
 * Builds a dataset's sources from its config, behind failover with one breaker
 * per source (a single source gets a breaker too, so its health is reported
 * the same way). Returns undefined for a dataset without sources.
 *
 * @throws ConfigError when an HTTP source's templates are invalid.
 */
export function createDatasetSource(
  dataset: DatasetSourcesConfig,
  deps: DatasetSourceDeps,
): FailoverSource | undefined {
  if (dataset.sources.length === 0) return undefined;
  const sources: Source[] = dataset.sources.map((cfg) => {
    const source = createSource(cfg, deps);
    return deps.redact ? redactingSource(source, deps.redact) : source;
  });
  return createFailoverSource({
    name: dataset.name,
    sources,
    breaker: dataset.breaker,
    clock: deps.clock,
    logger: deps.logger,
    onStateChange: (_source, health) => deps.onStateChange?.(health),
    onCallSettled: (_source, health) => deps.onCallSettled?.(health),
  });
}

function createSource(cfg: DatasetSourcesConfig['sources'][number], deps: DatasetSourceDeps): Source {
  if (cfg.type === 'http') {
    return createHttpSource({
      options: cfg,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
      ...(deps.redact ? { redact: deps.redact } : {}),
    });
  }
  const { latest, byKey, byRange } = cfg;
  return createFunctionSource({
    name: cfg.name,
    ...(latest ? { latest } : {}),
    ...(byKey ? { byKey: (p, signal) => byKey({ ...p.vars }, signal) } : {}),
    ...(byRange ? { byRange: (from, to, signal) => byRange({ ...from.vars }, { ...to.vars }, signal) } : {}),
  });
}
