import { fetchJson } from '../../api/module-fetch';
import type {
  ArchiveEvent,
  ArchiveManifest,
  ArchiveOverview,
  ArchiveRestoreReport,
  ArchiveVerifyReport,
  RetentionReport,
} from '../../api/types';

const q = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** The archive routes the page reads and calls (src/archive/archive-routes.ts). */
export const archiveApi = {
  overview: (token: string | null) => fetchJson<ArchiveOverview>('/api/archive', token),
  manifests: (token: string | null, dataset: string, limit = 200) =>
    fetchJson<{ manifests: ArchiveManifest[] }>(
      `/api/archive/manifests?${q({ dataset, limit })}`,
      token,
    ).then((b) => b.manifests),
  events: (token: string | null, dataset: string, limit = 20) =>
    fetchJson<{ events: ArchiveEvent[] }>(`/api/archive/events?${q({ dataset, limit })}`, token).then(
      (b) => b.events,
    ),
  /** One retention pass now: archive, verify and delete the days past retention; expire old archives. */
  run: (token: string | null, dataset: string) =>
    fetchJson<{ reports: RetentionReport[] }>('/api/archive/run', token, {
      method: 'POST',
      body: { dataset },
    }).then((b) => b.reports),
  /** Reads the objects back and compares them with their manifests; changes nothing. */
  verify: (token: string | null, dataset: string, day?: string) =>
    fetchJson<{ verified: ArchiveVerifyReport[] }>('/api/archive/verify', token, {
      method: 'POST',
      body: day ? { dataset, day } : { dataset },
    }).then((b) => b.verified),
  restore: (token: string | null, dataset: string, day: string) =>
    fetchJson<ArchiveRestoreReport>('/api/archive/restore', token, {
      method: 'POST',
      body: { dataset, day },
    }),
};
