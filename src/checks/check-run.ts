import type { DelayFigures } from './check-outcome.js';
import type { Finding } from './finding.js';
import type { CheckHealth, CheckLevel } from './score/score-scale.js';

/** A run's status: its health, or `error` when the check could not be evaluated (the message says why). */
export type CheckRunStatus = CheckHealth | 'error';
export const CHECK_RUN_STATUSES: readonly CheckRunStatus[] = ['healthy', 'degraded', 'unhealthy', 'error'];

/** Why a run happened. */
export type CheckRunTrigger = 'schedule' | 'manual' | 'api' | 'cli';

/** The score of one local day, from a run that breaks its window down by day (the `deep` profile). */
export interface CheckDayScore {
  day: string;
  score: number;
  total: number;
  findings: number;
}

/** One run of a check, as stored: every run is kept. */
export interface CheckRun {
  id: number;
  check: string;
  kind: string;
  /** `quick`, `full`, `deep`, or `range` for a run over an explicit --from/--to. */
  profile: string;
  trigger: CheckRunTrigger;
  status: CheckRunStatus;
  /** Undefined for an `error` run. */
  level: CheckLevel | undefined;
  score: number | undefined;
  /** The window looked at, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  startedAt: number;
  durationMs: number;
  total: number;
  findings: number;
  delay: DelayFigures | undefined;
  /** A bounded sample of the findings. */
  sample: Finding[];
  /** The local day (check's time zone) of the window's end: what the trend groups by. */
  day: string;
  /** Per-day scores (deep profile), oldest first. */
  days: CheckDayScore[];
  /** The database's message, for an `error` run. */
  error: string | undefined;
}

export type CheckRunDraft = Omit<CheckRun, 'id'>;

/** One local day of a check's history: its runs' scores. */
export interface CheckTrendDay {
  day: string;
  runs: number;
  errors: number;
  /** Average, lowest and last score of the day's runs that were not errors. */
  avgScore: number | undefined;
  minScore: number | undefined;
  lastScore: number | undefined;
  /** Findings of the day's last run that was not an error. */
  lastFindings: number | undefined;
}
