import type { LabelMatcher } from '../domain/label-matchers.js';
import type { AlertLanguage, CheckProblem, JobProblem, Severity } from './alerts-schema.js';
import type { CompiledReceiver } from './compiled-receiver.js';

/** What a rule watches, every default applied. */
export type CompiledAlertCondition =
  | { kind: 'gap'; minPartitions: number; maxPartitions: number | null; minAgeMs: number }
  | { kind: 'freshness'; afterMs: number }
  | { kind: 'collectFailures'; atLeast: number }
  | { kind: 'sourceDown'; sources: readonly string[] | null }
  | { kind: 'backfillExhausted' }
  | { kind: 'job'; jobs: readonly string[] | null; on: readonly JobProblem[] }
  | { kind: 'jobLate'; jobs: readonly string[] | null; afterMs: number }
  | { kind: 'check'; checks: readonly string[] | null; on: readonly CheckProblem[] }
  | { kind: 'streamBatches'; pipelines: readonly string[] | null; below: number };

export interface CompiledAlertRule {
  name: string;
  description: string | undefined;
  severity: Severity;
  condition: CompiledAlertCondition;
  /** Datasets watched; null: every dataset. */
  datasets: readonly string[] | null;
  forMs: number;
  labels: Readonly<Record<string, string>>;
}

export interface CompiledEscalationTier {
  afterMs: number;
  receivers: readonly string[];
  raiseSeverity: boolean;
}

export interface CompiledAlertRoute {
  /** Its position in `alerts.routes` (-1: the implicit route to every receiver). */
  index: number;
  match: readonly LabelMatcher[];
  receivers: readonly string[];
  groupBy: readonly string[];
  groupWaitMs: Readonly<Record<Severity, number>>;
  repeatIntervalMs: Readonly<Record<Severity, number>>;
  /** Tiers 1.. (tier 0 is `receivers`), ordered by `afterMs`. */
  escalate: readonly CompiledEscalationTier[];
}

export interface CompiledInhibitRule {
  source: readonly LabelMatcher[];
  target: readonly LabelMatcher[];
  equal: readonly string[];
}

export interface CompiledAlertDelivery {
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  leaseMs: number;
  concurrency: number;
}

/** The alerts section, every default applied. */
export interface CompiledAlerts {
  rules: readonly CompiledAlertRule[];
  routes: readonly CompiledAlertRoute[];
  inhibit: readonly CompiledInhibitRule[];
  /** `alerts.receivers`, in the order written. */
  receivers: CompiledReceiver[];
  /** The messages' language (a receiver may set its own). */
  language: AlertLanguage;
  /** Where the dashboard is reached (no trailing slash); null when unknown. */
  dashboardUrl: string | null;
  evaluateEveryMs: number;
  delivery: CompiledAlertDelivery;
}
