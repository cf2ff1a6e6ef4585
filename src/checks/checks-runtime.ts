import type { CheckProfile } from '../config/checks-schema.js';
import type { CompiledCheck } from '../config/compiled-checks.js';
import type { ModuleContext } from '../core/module.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import { daySlices, localDay } from './check-days.js';
import type { CheckOutcome } from './check-outcome.js';
import { appendResultLine } from './check-results-file.js';
import type { CheckDayScore, CheckRun, CheckRunTrigger, CheckTrendDay } from './check-run.js';
import type { CheckConnection } from './connections/check-connection.js';
import { openCheckConnection } from './connections/open-check-connection.js';
import { consistencyQueriesFor } from './consistency/consistency-queries.js';
import { evaluateCheck } from './evaluate-check.js';
import { healthOf, levelOf } from './score/score-scale.js';
import type { CheckStore } from './store/check-store.js';
import { checkStorePart } from './store/check-store-part.js';

/** What a run is asked for: a profile's window ending now, or an explicit range. */
export interface RunCheckOptions {
  /** @default 'full' (ignored when `fromMs`/`toMs` are given) */
  profile?: CheckProfile;
  fromMs?: number;
  toMs?: number;
  trigger: CheckRunTrigger;
}

/** The checks module's instance: runs checks, keeps every run, answers the surfaces. */
export interface Checks {
  readonly store: CheckStore;
  /** Every configured check, in config order. */
  list(): readonly CompiledCheck[];
  /** A check by name; CHECK_UNKNOWN naming the configured ones otherwise. */
  get(name: string): CompiledCheck;
  /**
   * Runs a check now and keeps the run. A query that fails (unknown table,
   * syntax, timeout, unreachable server) gives an `error` run with the
   * database's message: this never throws for that, only for an unknown check.
   */
  run(name: string, options: RunCheckOptions): Promise<CheckRun>;
  /** A check's per-day trend over the last `days` local days (its time zone), oldest first. */
  trend(name: string, days: number): Promise<CheckTrendDay[]>;
  /** The open connection of that name (opened on first use, closed by `stop`). */
  connection(name: string): CheckConnection;
  stop(): Promise<void>;
}

/** Creates the checks runtime and registers its store part. */
export function createChecks(ctx: ModuleContext): Checks {
  const store = ctx.store.part(checkStorePart);
  const { checks, connections: configured } = ctx.config.checks;
  const open = new Map<string, CheckConnection>();
  const connection = (name: string): CheckConnection => {
    let c = open.get(name);
    if (!c) {
      const conf = configured.find((x) => x.name === name);
      if (!conf) throw new GapwardenError('CONFIG_INVALID', `connection "${name}" is not configured`);
      c = openCheckConnection(conf);
      open.set(name, c);
    }
    return c;
  };
  const get = (name: string): CompiledCheck => {
    const check = checks.find((c) => c.name === name);
    if (!check) {
      throw new GapwardenError(
        'CHECK_UNKNOWN',
        `no check named "${name}"; configured: ${checks.map((c) => c.name).join(', ') || '(none)'}`,
        { details: { check: name } },
      );
    }
    return check;
  };

  async function evaluate(check: CompiledCheck, profile: string, fromMs: number, toMs: number) {
    const outcome: CheckOutcome = await evaluateCheck(check, { connection, core: ctx.core }, fromMs, toMs);
    let days: CheckDayScore[] = [];
    // The deep profile breaks its window down by local day: the trend of the last two weeks in one run.
    if (profile === 'deep' && check.kind === 'consistency') {
      const queries = consistencyQueriesFor(check, { connection, core: ctx.core });
      for (const slice of daySlices(check.timezone, fromMs, toMs)) {
        const o = await queries.evaluate(slice.fromMs, slice.toMs, 0);
        days.push({ day: slice.day, score: o.score, total: o.total, findings: o.findings });
      }
    } else days = [];
    return { outcome, days };
  }

  return {
    store,
    list: () => checks,
    get,
    async run(name, options) {
      const check = get(name);
      const ranged = options.fromMs !== undefined || options.toMs !== undefined;
      const profileName: CheckProfile = options.profile ?? 'full';
      const profile = check.profiles.find((p) => p.name === profileName)!;
      const startedAt = ctx.clock.now();
      const toMs = options.toMs ?? startedAt;
      const fromMs = options.fromMs ?? toMs - profile.windowMs;
      const label = ranged ? 'range' : profileName;
      if (toMs <= fromMs) {
        throw new GapwardenError(
          'REQUEST_INVALID',
          `the range is empty: --from (${new Date(fromMs).toISOString()}) must be before --to (${new Date(toMs).toISOString()})`,
        );
      }
      const base = {
        check: check.name,
        kind: check.kind,
        profile: label,
        trigger: options.trigger,
        fromMs,
        toMs,
        startedAt,
        day: localDay(check.timezone, toMs - 1),
      };
      let run: CheckRun;
      try {
        const { outcome, days } = await evaluate(check, label, fromMs, toMs);
        run = await store.recordRun({
          ...base,
          status: healthOf(outcome.score, check.scale),
          level: levelOf(outcome.score, check.scale),
          score: outcome.score,
          durationMs: ctx.clock.now() - startedAt,
          total: outcome.total,
          findings: outcome.findings,
          delay: outcome.delay,
          sample: outcome.sample,
          days,
          error: undefined,
        });
      } catch (err) {
        if (err instanceof GapwardenError && err.code === 'STORE_FAILED') throw err;
        const message = ctx.redact(describeError(err));
        ctx.logger.warn({ msg: 'check failed', check: check.name, profile: label, error: message });
        run = await store.recordRun({
          ...base,
          status: 'error',
          level: undefined,
          score: undefined,
          durationMs: ctx.clock.now() - startedAt,
          total: 0,
          findings: 0,
          delay: undefined,
          sample: [],
          days: [],
          error: message,
        });
      }
      await appendResultLine(check, run, ctx.logger);
      ctx.logger.info({
        msg: 'check ran',
        check: run.check,
        profile: run.profile,
        status: run.status,
        score: run.score,
        findings: run.findings,
        ms: run.durationMs,
      });
      ctx.events.emit('check:ran', {
        check: run.check,
        kind: run.kind,
        profile: run.profile,
        runId: run.id,
        status: run.status,
        level: run.level,
        score: run.score,
        findings: run.findings,
        at: run.startedAt,
        ms: run.durationMs,
        ...(run.error === undefined ? {} : { error: run.error }),
      });
      return run;
    },
    async trend(name, days) {
      const check = get(name);
      const now = ctx.clock.now();
      const to = localDay(check.timezone, now);
      const from = localDay(check.timezone, now - (days - 1) * 86_400_000);
      return store.trend(name, from, to);
    },
    connection,
    async stop() {
      const all = [...open.values()];
      open.clear();
      await Promise.allSettled(all.map((c) => c.close()));
    },
  };
}
