import { ApiError } from './client';

/**
 * GET or POST one of a module's routes with the token, throwing `ApiError` on a
 * non-2xx answer (so a 401 can ask for the token, as the core client's calls do).
 * Modules keep their calls beside their pages (see modules/rollups/rollup-api.ts).
 */
export async function fetchJson<T>(
  path: string,
  token: string | null,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (err) {
    throw new ApiError(0, 'UNREACHABLE', `the gapwarden server does not answer (${String(err)})`);
  }
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok)
    throw new ApiError(
      res.status,
      body?.error?.code ?? `HTTP_${res.status}`,
      body?.error?.message ?? `HTTP ${res.status}`,
    );
  return body as T;
}
