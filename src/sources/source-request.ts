/** The call a source was asked to answer. */
export type SourceRequestKind = 'latest' | 'byKey' | 'byRange';

/**
 * How one upstream request ended, as the upstream answered it:
 * - `ok`: a usable answer (an empty list included);
 * - `not_found`: HTTP 404, or the response's `notFound` predicate matched;
 * - `rate_limited`: HTTP 429;
 * - `timeout`: no complete answer within `timeoutMs`;
 * - `error`: anything else (network failure, other non-2xx, malformed JSON, a failed `success` predicate).
 */
export type SourceRequestOutcome = 'ok' | 'not_found' | 'rate_limited' | 'timeout' | 'error';

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
