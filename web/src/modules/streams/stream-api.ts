import { fetchJson } from '../../api/module-fetch';
import type { StreamBatch, StreamMinute, StreamPipeline } from '../../api/types';

const q = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** The stream routes the page reads (src/streams/stream-routes.ts); all read-only. */
export const streamApi = {
  pipelines: (token: string | null) =>
    fetchJson<{ pipelines: StreamPipeline[] }>('/api/streams', token).then((b) => b.pipelines),
  batches: (token: string | null, pipeline: string, limit = 10) =>
    fetchJson<{ batches: StreamBatch[] }>(`/api/streams/batches?${q({ pipeline, limit })}`, token).then(
      (b) => b.batches,
    ),
  /** Per minute over the last `minutes`, oldest first (minutes without messages are absent). */
  activity: (token: string | null, pipeline: string, minutes = 60) =>
    fetchJson<{ minutes: StreamMinute[] }>(`/api/streams/activity?${q({ pipeline, minutes })}`, token).then(
      (b) => b.minutes,
    ),
};
