import { parseDuration } from '../domain/duration.js';
import { type LabelMatcher, parseLabelMatcher } from '../domain/label-matchers.js';
import type { ConfigIssue } from '../internal/errors.js';
import {
  ALERT_CONDITION_KINDS,
  type AlertRuleConfig,
  type AlertsConfig,
  CHECK_PROBLEMS,
  JOB_PROBLEMS,
  SEVERITIES,
  type Severity,
} from './alerts-schema.js';
import { compileAlertReceivers } from './compile-alert-receivers.js';
import type {
  CompiledAlertCondition,
  CompiledAlertRoute,
  CompiledAlertRule,
  CompiledAlerts,
  CompiledInhibitRule,
} from './compiled-alerts.js';
import type { CompiledDataset, CompiledServer } from './compiled-config.js';

const ms = (v: string | number | undefined, fallback: number) =>
  v === undefined ? fallback : (parseDuration(v) ?? fallback);

const GROUP_WAIT: Record<Severity, number> = { P0: 0, P1: 30_000, P2: 300_000 };
const REPEAT: Record<Severity, number> = { P0: 1_800_000, P1: 7_200_000, P2: 43_200_000 };

/**
 * A source-down alert holds back the gap alerts of its dataset: the gaps are what its outage
 * causes. Silence and failing collects are not held back: with every source down they are the news.
 */
const DEFAULT_INHIBIT = [{ source: ['kind=sourceDown'], target: ['kind=gap'], equal: ['dataset'] }];

const matchers = (list: readonly string[] | undefined): LabelMatcher[] =>
  // The schema already refused what does not parse.
  (list ?? []).map((t) => parseLabelMatcher(t)).filter((m): m is LabelMatcher => typeof m !== 'string');

/**
 * Compiles `alerts` (rules, routes, grouping, repeats, escalation,
 * inhibition, delivery). Receivers are referenced by name: a route naming one
 * that `alerts.receivers` lacks, or a rule naming an unknown dataset, is an
 * issue with its field path.
 */
export function compileAlerts(
  alerts: AlertsConfig | undefined,
  datasets: readonly CompiledDataset[],
  server: CompiledServer,
  issues: ConfigIssue[],
): CompiledAlerts {
  const compiledReceivers = compileAlertReceivers(alerts?.receivers, issues);
  // Every name, even of a receiver whose settings are wrong: that one is reported once, at its own field.
  const receivers = Object.keys(alerts?.receivers ?? {});
  const knownReceiver = (name: string, path: string) => {
    if (receivers.includes(name)) return;
    issues.push({
      path,
      expected: `one of the receivers under alerts.receivers: ${receivers.join(', ') || '(none configured)'}`,
      found: JSON.stringify(name),
      message: 'a route names a receiver that is not configured',
    });
  };
  const perSeverity = (
    given: Partial<Record<Severity, string | number>> | undefined,
    fallback: Record<Severity, number>,
  ) =>
    Object.fromEntries(SEVERITIES.map((s) => [s, ms(given?.[s], fallback[s])])) as Record<Severity, number>;
  const groupWaitMs = perSeverity(alerts?.groupWait, GROUP_WAIT);
  const repeatIntervalMs = perSeverity(alerts?.repeatInterval, REPEAT);
  const groupBy = alerts?.groupBy ?? ['rule', 'dataset'];
  const all = (v: number) => ({ P0: v, P1: v, P2: v });

  const rules: CompiledAlertRule[] = [];
  for (const [name, rule] of Object.entries(alerts?.rules ?? {})) {
    const compiled = compileRule(name, rule, datasets, issues);
    if (compiled) rules.push(compiled);
  }

  const routes: CompiledAlertRoute[] = (alerts?.routes ?? []).map((r, index) => {
    r.receivers.forEach((n, i) => {
      knownReceiver(n, `alerts.routes[${index}].receivers[${i}]`);
    });
    const tiers = (r.escalate ?? []).map((t, ti) => {
      (t.receivers ?? []).forEach((n, i) => {
        knownReceiver(n, `alerts.routes[${index}].escalate[${ti}].receivers[${i}]`);
      });
      return {
        afterMs: ms(t.after, 0),
        receivers: t.receivers ?? r.receivers,
        raiseSeverity: t.raiseSeverity ?? false,
      };
    });
    tiers.forEach((t, ti) => {
      if (ti > 0 && t.afterMs <= tiers[ti - 1]!.afterMs) {
        issues.push({
          path: `alerts.routes[${index}].escalate[${ti}].after`,
          expected: `a delay longer than the tier before (${tiers[ti - 1]!.afterMs} ms)`,
          found: `${t.afterMs} ms`,
          message: 'escalation tiers are reached in order: each one later than the one before',
        });
      }
    });
    return {
      index,
      match: matchers(r.match),
      receivers: r.receivers,
      groupBy: r.groupBy ?? groupBy,
      groupWaitMs: r.groupWait === undefined ? groupWaitMs : all(ms(r.groupWait, 0)),
      repeatIntervalMs:
        r.repeatInterval === undefined ? repeatIntervalMs : all(ms(r.repeatInterval, REPEAT.P0)),
      escalate: tiers,
    };
  });
  // Without routes every alert goes to every receiver: a small setup needs no routing.
  if (routes.length === 0 && receivers.length > 0) {
    routes.push({
      index: -1,
      match: [],
      receivers,
      groupBy,
      groupWaitMs,
      repeatIntervalMs,
      escalate: [],
    });
  }
  if (rules.length > 0 && receivers.length === 0) {
    issues.push({
      path: 'alerts.receivers',
      expected: 'at least one receiver (e.g. { oncall: { channel: "log" } })',
      found: 'none',
      message: 'alert rules are configured but nobody can be told: add a receiver',
    });
  }

  const inhibit: CompiledInhibitRule[] = (alerts?.inhibit ?? DEFAULT_INHIBIT).map((r) => ({
    source: matchers(r.source),
    target: matchers(r.target),
    equal: r.equal ?? [],
  }));

  const d = alerts?.delivery;
  return {
    rules,
    routes,
    inhibit,
    receivers: compiledReceivers,
    language: alerts?.language ?? 'en',
    dashboardUrl:
      alerts?.dashboardUrl?.replace(/\/+$/, '') ??
      (server.enabled && server.port !== 0 ? `http://${hostForUrl(server.host)}:${server.port}` : null),
    evaluateEveryMs: Math.max(100, ms(alerts?.evaluateEvery, 10_000)),
    delivery: {
      maxAttempts: d?.maxAttempts ?? 10,
      retryInitialMs: ms(d?.retryInitial, 1000),
      retryMaxMs: ms(d?.retryMax, 300_000),
      leaseMs: ms(d?.lease, 60_000),
      concurrency: d?.concurrency ?? 16,
    },
  };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function compileRule(
  name: string,
  rule: AlertRuleConfig,
  datasets: readonly CompiledDataset[],
  issues: ConfigIssue[],
): CompiledAlertRule | undefined {
  const at = `alerts.rules.${name}`;
  const given = ALERT_CONDITION_KINDS.filter((k) => rule[k] !== undefined);
  if (given.length !== 1) {
    issues.push({
      path: at,
      expected: `exactly one condition: ${ALERT_CONDITION_KINDS.join(', ')}`,
      found: given.length === 0 ? 'none' : given.join(' and '),
      message: 'an alert rule watches one condition; write one rule per condition',
    });
    return undefined;
  }
  const known = datasets.map((d) => d.name);
  (rule.datasets ?? []).forEach((ds, i) => {
    if (!known.includes(ds)) {
      issues.push({
        path: `${at}.datasets[${i}]`,
        expected: `one of the datasets: ${known.join(', ') || '(none configured)'}`,
        found: JSON.stringify(ds),
        message: 'an alert rule names a dataset that is not configured',
      });
    }
  });
  let condition: CompiledAlertCondition;
  const kind = given[0]!;
  switch (kind) {
    case 'gap': {
      const g = rule.gap!;
      condition = {
        kind,
        minPartitions: g.minPartitions ?? 1,
        maxPartitions: g.maxPartitions ?? null,
        minAgeMs: ms(g.minAge, 0),
      };
      if (condition.maxPartitions !== null && condition.maxPartitions < condition.minPartitions) {
        issues.push({
          path: `${at}.gap.maxPartitions`,
          expected: `at least minPartitions (${condition.minPartitions})`,
          found: String(condition.maxPartitions),
          message: 'no gap could match: maxPartitions is below minPartitions',
        });
      }
      break;
    }
    case 'freshness':
      condition = { kind, afterMs: ms(rule.freshness!.after, 0) };
      break;
    case 'collectFailures':
      condition = { kind, atLeast: rule.collectFailures!.atLeast };
      break;
    case 'sourceDown':
      condition = { kind, sources: rule.sourceDown!.sources ?? null };
      break;
    case 'backfillExhausted':
      condition = { kind };
      break;
    case 'job':
      condition = { kind, jobs: rule.job!.jobs ?? null, on: rule.job!.on ?? [...JOB_PROBLEMS] };
      break;
    case 'jobLate':
      condition = { kind, jobs: rule.jobLate!.jobs ?? null, afterMs: ms(rule.jobLate!.after, 0) };
      break;
    case 'check':
      condition = { kind, checks: rule.check!.checks ?? null, on: rule.check!.on ?? [...CHECK_PROBLEMS] };
      break;
    case 'streamBatches':
      condition = {
        kind,
        pipelines: rule.streamBatches!.pipelines ?? null,
        below: rule.streamBatches!.below ?? 1,
      };
      break;
  }
  return {
    name,
    description: rule.description,
    severity: rule.severity,
    condition,
    datasets: rule.datasets ?? null,
    forMs: ms(rule.for, 0),
    labels: rule.labels ?? {},
  };
}
