/** The call a source was asked to answer. */
export type SourceRequestKind = 'latest' | 'byKey' | 'byRange';

/**
 * How one upstream request ended, as the upstream answered it:
 * - `ok`: a usable answer (an empty list included, and one where only some items were rejected);
 * - `not_found`: HTTP 404, or the response's `notFound` predicate matched;
 * - `rate_limited`: HTTP 429;
 * - `timeout`: no complete answer within `timeoutMs`;
 * - `http_4xx`: any other status that is neither 2xx nor 5xx (401, 403, 400, 408, ...);
 * - `http_5xx`: a 5xx status;
 * - `network`: no answer at all (connection refused or reset, DNS failure);
 * - `malformed`: a 2xx whose body is not JSON, is larger than `maxResponseBytes`, fails the
 *   `success` predicate, or has no item list at `response.records`;
 * - `rejected`: a 2xx with items, every one of which the mapping rejected (no key, ...).
 */
export type SourceRequestOutcome =
  | 'ok'
  | 'not_found'
  | 'rate_limited'
  | 'timeout'
  | 'http_4xx'
  | 'http_5xx'
  | 'network'
  | 'malformed'
  | 'rejected';

/**
 * One request a source sent upstream. Every retry and every page is its own
 * request, so latency and error rates describe the upstream, not gapwarden's
 * retry policy. Requests gapwarden aborts itself (shutdown) are not reported.
 */
export interface SourceRequestReport {
  source: string;
  kind: SourceRequestKind;
  outcome: SourceRequestOutcome;
  /** From sending the request to having read the whole body. */
  ms: number;
  /** The HTTP status, when a response arrived. */
  status?: number;
}
