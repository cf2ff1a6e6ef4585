import type { SourceHealth } from '../domain/source-health.js';
import type { Clock } from '../internal/clock.js';
import { GapwardenError, hasCode } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import { type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';
import type { FetchResult, PartitionRef, RequestPacer, Source, SourceCapabilities } from './source.js';

export interface FailoverSourceOptions {
  /** Sources in priority order: the first healthy one that answers wins. */
  sources: readonly Source[];
  /** @default the source names joined with '|' */
  name?: string;
  /** One breaker per source. @default { failureThreshold: 3, cooldownMs: 30000 } */
  breaker?: { failureThreshold?: number; cooldownMs?: number };
  clock: Clock;
  logger?: Logger;
  /** Called when a source's breaker changes state. */
  onStateChange?: (source: string, health: SourceHealth) => void;
  /** Called after every call a source answered or failed (its breaker's verdict), with its health then. */
  onCallSettled?: (source: string, health: SourceHealth) => void;
}

/** A Source that fails over across several, with each one's breaker health. */
export interface FailoverSource extends Source {
  health(): SourceHealth[];
  /**
   * One of the sources alone, behind its own breaker (shared with the failover): no
   * failover, and every error names it. Undefined when there is no source of that name.
   */
  only(sourceName: string): Source | undefined;
}

type Member = { source: Source; breaker: CircuitBreaker };

type Call = keyof SourceCapabilities;

/**
 * Tries sources in priority order, skipping those whose breaker is open (a
 * half-open one gets one trial), and returns the first success tagged with the
 * answering source's name.
 *
 * - SOURCE_NOT_FOUND is an answer, not a failure: it closes that source's
 *   breaker and the next source is asked.
 * - SOURCE_UNSUPPORTED (or a missing capability) skips the source silently.
 * - Every asked source said not found and none failed or was skipped as open:
 *   SOURCE_NOT_FOUND. A skipped or failing source might still have the
 *   partition, so then it is a retryable SOURCE_UNAVAILABLE instead, because
 *   "not found" makes the backfill give up on the partition for good.
 * - Nobody could be asked because every breaker is open: retryable
 *   SOURCE_UNAVAILABLE with `retryAt`.
 *
 * @example
 * const source = createFailoverSource({ sources: [primary, secondary], clock, breaker: { cooldownMs: 30_000 } });
 * const { records, source: answeredBy } = await source.byKey(ref);
 */
export function createFailoverSource(options: FailoverSourceOptions): FailoverSource {
  const { sources, clock } = options;
  if (sources.length === 0) {
    throw new GapwardenError('CONFIG_INVALID', 'a failover source needs at least one source');
  }
  const name = options.name ?? sources.map((s) => s.name).join('|');
  const members = sources.map((source) => {
    const member: Member = {
      source,
      breaker: createCircuitBreaker({
        ...options.breaker,
        clock,
        onStateChange: (state, previous) => {
          const health = member.breaker.health(source.name);
          options.logger?.warn({
            msg: 'source breaker changed state',
            source: source.name,
            state,
            previous,
            error: health.lastError,
          });
          options.onStateChange?.(source.name, health);
        },
      }),
    };
    return member;
  });

  const capabilities: SourceCapabilities = {
    latest: sources.some((s) => s.capabilities.latest),
    byKey: sources.some((s) => s.capabilities.byKey),
    byRange: sources.some((s) => s.capabilities.byRange),
  };

  const run = async (
    call: Call,
    what: string,
    signal: AbortSignal | undefined,
    invoke: (s: Source) => Promise<FetchResult>,
    chain: readonly Member[] = members,
    label: string = name,
  ): Promise<FetchResult> => {
    const failures: { source: string; code: string; message: string }[] = [];
    const notFound: string[] = [];
    const skippedOpen: string[] = [];
    let lastNotFound: GapwardenError | undefined;
    for (const { source, breaker } of chain) {
      if (signal?.aborted) throw new GapwardenError('ABORTED', `${what} aborted`, { cause: signal.reason });
      if (!source.capabilities[call]) continue;
      if (!breaker.canCall()) {
        skippedOpen.push(source.name);
        continue;
      }
      const settled = () => options.onCallSettled?.(source.name, breaker.health(source.name));
      try {
        const result = await invoke(source);
        breaker.onSuccess();
        settled();
        return { ...result, source: source.name };
      } catch (err) {
        if (hasCode(err, 'SOURCE_NOT_FOUND')) {
          // The source is up and answered; only the partition is missing there.
          breaker.onSuccess();
          settled();
          notFound.push(source.name);
          lastNotFound = err;
          continue;
        }
        if (hasCode(err, 'SOURCE_UNSUPPORTED', 'ABORTED') || signal?.aborted) {
          breaker.release();
          if (hasCode(err, 'SOURCE_UNSUPPORTED')) continue;
          throw err;
        }
        breaker.onFailure(err);
        settled();
        failures.push({
          source: source.name,
          code: err instanceof GapwardenError ? err.code : 'UNKNOWN',
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }

    if (failures.length === 0 && skippedOpen.length === 0 && notFound.length > 0) {
      const message =
        notFound.length === 1 && lastNotFound
          ? lastNotFound.message
          : `${what}: not found on ${notFound.join(', ')}`;
      throw new GapwardenError('SOURCE_NOT_FOUND', message, {
        cause: lastNotFound,
        details: { ...lastNotFound?.details, source: label, notFound },
      });
    }
    if (failures.length > 0 || notFound.length > 0) {
      const parts = [
        ...failures.map((f) => `${f.source}: ${f.message}`),
        ...notFound.map((s) => `${s}: not found`),
        ...skippedOpen.map((s) => `${s}: circuit open`),
      ];
      throw new GapwardenError(
        'SOURCE_UNAVAILABLE',
        `${what}: no source could answer (${parts.join('; ')})`,
        {
          retryable: true,
          details: { source: label, errors: failures, notFound, skippedOpen, ...retryDetails(chain) },
        },
      );
    }
    if (skippedOpen.length > 0) {
      const { retryAt } = retryDetails(chain);
      const when = retryAt === null ? 'soon' : `at ${new Date(retryAt).toISOString()}`;
      throw new GapwardenError(
        'SOURCE_UNAVAILABLE',
        `${what}: every source's circuit is open (${skippedOpen.join(', ')}); next trial ${when}`,
        { retryable: true, details: { source: label, skippedOpen, ...retryDetails(chain) } },
      );
    }
    throw new GapwardenError('SOURCE_UNSUPPORTED', `${what}: no source supports ${call}`, {
      details: { source: label, call },
    });
  };

  /** The earliest moment an open breaker admits a trial, and how far away that is. */
  const retryDetails = (
    chain: readonly Member[] = members,
  ): { retryAt: number | null; retryAfterMs: number | null } => {
    const times = chain.map((m) => m.breaker.retryAt()).filter((t): t is number => t !== null);
    if (times.length === 0) return { retryAt: null, retryAfterMs: null };
    const retryAt = Math.min(...times);
    return { retryAt, retryAfterMs: Math.max(0, retryAt - clock.now()) };
  };

  /** The calls over a chain of members: all of them (failover), or one alone. */
  const calls = (chain: readonly Member[], label: string) => ({
    latest: (signal?: AbortSignal) =>
      run('latest', `${label} latest`, signal, (s) => s.latest(signal), chain, label),
    byKey: (partition: PartitionRef, signal?: AbortSignal, pace?: RequestPacer) =>
      run(
        'byKey',
        `${label} byKey ${partition.vars.partition ?? `#${partition.ordinal}`}`,
        signal,
        (s) => s.byKey(partition, signal, pace),
        chain,
        label,
      ),
    byRange: (from: PartitionRef, to: PartitionRef, signal?: AbortSignal, pace?: RequestPacer) =>
      run(
        'byRange',
        `${label} byRange ${from.vars.partition ?? `#${from.ordinal}`}..${to.vars.partition ?? `#${to.ordinal}`}`,
        signal,
        (s) => s.byRange(from, to, signal, pace),
        chain,
        label,
      ),
  });

  return {
    name,
    capabilities,
    ...calls(members, name),
    only(sourceName) {
      const member = members.find((m) => m.source.name === sourceName);
      if (!member) return undefined;
      return {
        name: member.source.name,
        capabilities: member.source.capabilities,
        ...calls([member], `${name} (source ${sourceName} only)`),
      };
    },
    health: () => members.map((m) => m.breaker.health(m.source.name)),
  };
}
