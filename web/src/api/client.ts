import type {
  Activity,
  ActivityQuery,
  AlertCounts,
  AlertDetail,
  AlertHistoryEntry,
  AlertSilence,
  AlertSummary,
  BackfillRequest,
  BackfillResponse,
  BackfillRun,
  CheckRun,
  CheckSummary,
  CheckTrendDay,
  Completeness,
  CompletenessQuery,
  DatasetDetail,
  Gap,
  JobRunsPage,
  JobSummary,
  ModuleInfo,
  RecordsPage,
  RepairReport,
  RepairRun,
  RollbackResult,
  StatusReport,
} from './types';

/** A non-2xx answer from the API (or no answer at all, with status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The token was missing or wrong: the caller should ask for one. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export interface ApiClient {
  status(): Promise<StatusReport>;
  dataset(name: string): Promise<DatasetDetail>;
  /** The whole range by default; `from`/`to` (partition values) zoom into a part. */
  completeness(name: string, query?: CompletenessQuery): Promise<Completeness>;
  /** Records stored and partitions filled per time bucket. */
  activity(name: string, query?: ActivityQuery): Promise<Activity>;
  gaps(name: string, limit?: number): Promise<Gap[]>;
  records(name: string, options?: { limit?: number; before?: number | null }): Promise<RecordsPage>;
  backfillRuns(dataset: string, limit?: number): Promise<BackfillRun[]>;
  startBackfill(name: string, request: BackfillRequest): Promise<BackfillResponse>;
  /** The modules the server runs, each with the page it adds to the dashboard. */
  modules(): Promise<ModuleInfo[]>;
  jobs(): Promise<JobSummary[]>;
  /** Runs newest first; `before` (a run id) reads the runs older than it. */
  jobRuns(id: string, options?: { limit?: number; before?: number | null }): Promise<JobRunsPage>;
  /** Starts a manual run; answers once it started, with the job as it is then. */
  runJob(id: string, params?: Record<string, string>): Promise<JobSummary>;
  pauseJob(id: string): Promise<JobSummary>;
  resumeJob(id: string): Promise<JobSummary>;
  /** Alerts: open ones (firing and acknowledged) by default. */
  alerts(state?: 'open' | 'all' | 'resolved'): Promise<AlertSummary[]>;
  alert(id: number): Promise<AlertDetail>;
  alertHistory(limit?: number): Promise<AlertHistoryEntry[]>;
  alertCounts(): Promise<AlertCounts>;
  ackAlert(id: number, comment?: string): Promise<AlertSummary>;
  silences(): Promise<AlertSilence[]>;
  /** Silences the alerts matching every matcher for `duration` (e.g. `2h`). */
  createSilence(matchers: string[], duration: string, comment: string): Promise<AlertSilence>;
  expireSilence(id: number): Promise<AlertSilence>;
  /** Checks (the checks module), each with its last run. */
  checks(): Promise<CheckSummary[]>;
  /** A check's runs, newest first. */
  checkRuns(name: string, limit?: number): Promise<CheckRun[]>;
  /** A check's score per local day, oldest first (days with runs only). */
  checkTrend(name: string, days?: number): Promise<CheckTrendDay[]>;
  /** Runs a check now (its default profile unless one is named); answers with the run. */
  runCheck(name: string, profile?: 'quick' | 'full' | 'deep'): Promise<CheckRun>;
  /** What a repair would do now, finding by finding: a dry run, nothing changes. */
  previewRepair(name: string): Promise<RepairReport>;
  /** Repairs the check's findings (recorded in the journal). */
  repair(name: string): Promise<RepairReport>;
  /** The repair journal, newest first. */
  repairRuns(check: string, limit?: number): Promise<RepairRun[]>;
  /** Undoes a repair run; a 409 (ROLLBACK_REFUSED) says why not. */
  rollbackRepair(id: number): Promise<RollbackResult>;
}

/**
 * The dashboard's only way to the server. `getToken` is read on every call so a
 * token typed after a 401 is used by the retry.
 */
export function createApiClient(options: { baseUrl?: string; getToken: () => string | null }): ApiClient {
  const base = options.baseUrl ?? '';

  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    const token = options.getToken();
    // Sent on every call: state-changing calls need it, and a server may guard reads too.
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, headers });
    } catch (err) {
      throw new ApiError(0, 'UNREACHABLE', `the gapwarden server does not answer (${String(err)})`);
    }
    const text = await res.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!res.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? (text.slice(0, 200) || res.statusText),
      );
    }
    return body as T;
  };

  const ds = (name: string) => `/api/datasets/${encodeURIComponent(name)}`;
  const job = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;
  const check = (name: string) => `/api/checks/${encodeURIComponent(name)}`;
  const post = async <T>(path: string, body: unknown) =>
    call<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const query = (params: Record<string, string | number | null | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  return {
    status: () => call<StatusReport>('/api/datasets'),
    dataset: (name) => call<DatasetDetail>(ds(name)),
    completeness: (name, q = {}) =>
      call<Completeness>(
        `${ds(name)}/completeness${query({ bucket: q.bucket, from: q.from, to: q.to, maxBuckets: q.maxBuckets })}`,
      ),
    activity: (name, q = {}) =>
      call<Activity>(
        `${ds(name)}/activity${query({ from: q.from, to: q.to, bucket: q.bucket, maxBuckets: q.maxBuckets })}`,
      ),
    gaps: async (name, limit = 100) =>
      (await call<{ gaps: Gap[] }>(`${ds(name)}/gaps${query({ limit })}`)).gaps,
    records: (name, o = {}) =>
      call<RecordsPage>(`${ds(name)}/records${query({ limit: o.limit ?? 20, before: o.before })}`),
    backfillRuns: async (dataset, limit = 10) =>
      (await call<{ runs: BackfillRun[] }>(`/api/backfills${query({ dataset, limit })}`)).runs,
    startBackfill: (name, request) => post<BackfillResponse>(`${ds(name)}/backfills`, request),
    modules: async () => (await call<{ modules: ModuleInfo[] }>('/api/modules')).modules,
    jobs: async () => (await call<{ jobs: JobSummary[] }>('/api/jobs')).jobs,
    jobRuns: (id, o = {}) =>
      call<JobRunsPage>(`${job(id)}/runs${query({ limit: o.limit ?? 20, before: o.before })}`),
    runJob: async (id, params = {}) => (await post<{ job: JobSummary }>(`${job(id)}/run`, { params })).job,
    pauseJob: async (id) => (await post<{ job: JobSummary }>(`${job(id)}/pause`, {})).job,
    resumeJob: async (id) => (await post<{ job: JobSummary }>(`${job(id)}/resume`, {})).job,
    alerts: async (state = 'open') =>
      (await call<{ alerts: AlertSummary[] }>(`/api/alerts${query({ state, limit: 200 })}`)).alerts,
    alert: (id) => call<AlertDetail>(`/api/alerts/${id}`),
    alertHistory: async (limit = 100) =>
      (await call<{ history: AlertHistoryEntry[] }>(`/api/alerts/history${query({ limit })}`)).history,
    alertCounts: () => call<AlertCounts>('/api/alerts/summary'),
    ackAlert: async (id, comment) =>
      (
        await post<{ alert: AlertSummary }>(`/api/alerts/${id}/ack`, {
          by: 'dashboard',
          ...(comment ? { comment } : {}),
        })
      ).alert,
    silences: async () => (await call<{ silences: AlertSilence[] }>('/api/alerts/silences')).silences,
    createSilence: async (matchers, duration, comment) =>
      (
        await post<{ silence: AlertSilence }>('/api/alerts/silences', {
          matchers,
          duration,
          author: 'dashboard',
          comment,
        })
      ).silence,
    expireSilence: async (id) =>
      (await call<{ silence: AlertSilence }>(`/api/alerts/silences/${id}`, { method: 'DELETE' })).silence,
    checks: async () => (await call<{ checks: CheckSummary[] }>('/api/checks')).checks,
    checkRuns: async (name, limit = 20) =>
      (await call<{ runs: CheckRun[] }>(`${check(name)}/runs${query({ limit })}`)).runs,
    checkTrend: async (name, days = 14) =>
      (await call<{ days: CheckTrendDay[] }>(`${check(name)}/trend${query({ days })}`)).days,
    runCheck: async (name, profile) =>
      (await post<{ run: CheckRun }>(`${check(name)}/run`, profile ? { profile } : {})).run,
    previewRepair: (name) => post<RepairReport>(`${check(name)}/repair/preview`, {}),
    repair: (name) => post<RepairReport>(`${check(name)}/repair`, {}),
    repairRuns: async (name, limit = 20) =>
      (await call<{ runs: RepairRun[] }>(`/api/repairs${query({ check: name, limit })}`)).runs,
    rollbackRepair: (id) => post<RollbackResult>(`/api/repairs/${id}/rollback`, {}),
  };
}
