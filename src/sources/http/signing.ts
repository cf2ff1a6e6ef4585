import { createHash, createHmac } from 'node:crypto';

/**
 * The parameters that take part in a signature: empty values dropped (the
 * upstream APIs we sign for skip them too), sorted by key in UTF-16 code-unit
 * order (the same as Python's `sorted()` for ordinary ASCII keys).
 */
export function canonicalPairs(params: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(params)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * MD5 signature of the draw collector's API: the lowercase hex MD5 of
 * `k1v1k2v2...` (non-empty params, sorted by key, no separators) followed by
 * the secret, UTF-8 encoded.
 *
 * @example
 * signMd5Sorted({ time: '1700000000', appid: '45928', format: 'json' }, 'secret')
 * // = md5('appid45928formatjsontime1700000000secret')
 */
export function signMd5Sorted(params: Readonly<Record<string, string>>, secret: string): string {
  const text = canonicalPairs(params)
    .map(([k, v]) => `${k}${v}`)
    .join('');
  return createHash('md5')
    .update(text + secret, 'utf8')
    .digest('hex');
}

/**
 * HMAC-SHA256 signature: lowercase hex `HMAC_SHA256(key = secret, message)`
 * where message is `k1=v1&k2=v2...` over the non-empty params sorted by key,
 * keys and values verbatim (not URL-encoded), UTF-8 encoded.
 *
 * @example
 * signHmacSha256({ b: '2', a: '1', c: '' }, 'secret')
 * // = hex(HMAC_SHA256('secret', 'a=1&b=2'))
 */
export function signHmacSha256(params: Readonly<Record<string, string>>, secret: string): string {
  const text = canonicalPairs(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}
