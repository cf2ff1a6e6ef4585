/**
 * Health of one source as its circuit breaker sees it. In `domain/` because
 * both the sources (which track it) and the store (which keeps it for other
 * processes) speak it, and neither may import the other.
 */
export interface SourceHealth {
  source: string;
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  /** While open: when the next trial call is allowed. */
  retryAt: number | null;
}
