/** The rollup routes the dashboard reads (see docs/http-api.md). */
export interface RollupStatus {
  name: string;
  dataset: string;
  bucket: 'minute' | 'hour' | 'day';
  timezone: string;
  dimensions: string[];
  measures: Array<{ name: string; kind: string; field?: string }>;
  applied: number;
  pendingRecords: number;
  lagSeconds: number;
  top: { by: string; n: number; keep: number; latestVersion: number | null } | null;
}

export interface SeriesPoint {
  bucket: string;
  bucketStart: number;
  dims: Record<string, string | null>;
  values: Record<string, number | null | Record<string, number | null>>;
}

export interface TopEntry {
  rank: number;
  dims: Record<string, string | null>;
  value: number;
  count: number;
}

export interface TopSnapshot {
  version: number;
  createdAt: number;
  body: { by: string; n: number; from: number; to: number; entries: TopEntry[] };
}

async function get<T>(path: string, token: string | null): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers });
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

const r = (name: string) => `/api/rollups/${encodeURIComponent(name)}`;

export const rollupApi = {
  list: (token: string | null) =>
    get<{ rollups: RollupStatus[] }>('/api/rollups', token).then((b) => b.rollups),
  series: (token: string | null, name: string, from: number, to: number, bucket: string) =>
    get<{ series: SeriesPoint[] }>(
      `${r(name)}/series?from=${from}&to=${to}&bucket=${bucket}&quantiles=0.5,0.95,0.99`,
      token,
    ).then((b) => b.series),
  versions: (token: string | null, name: string) =>
    get<{ versions: Array<{ version: number; createdAt: number }> }>(`${r(name)}/snapshots`, token).then(
      (b) => b.versions,
    ),
  snapshot: (token: string | null, name: string, version: number | 'latest') =>
    get<TopSnapshot>(`${r(name)}/snapshots/${version}`, token),
};
