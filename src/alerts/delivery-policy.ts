import type { CompiledAlertDelivery } from '../config/compiled-alerts.js';
import type { DeliveryOutcome } from './notifier.js';
import type { DeliveryRecord } from './store/alert-store.js';

/** The longest wait a receiver's `Retry-After` is honoured for: beyond it, the notification would go stale. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * What becomes of a notification after an attempt. Pure.
 * Delivered on success; given up when the failure is not worth repeating
 * (a 4xx, a bad config) or after `maxAttempts`; otherwise due again after an
 * exponential backoff (`retryInitial` doubled per attempt, at most
 * `retryMax`), or later when the receiver asked for it (`Retry-After`).
 */
export function nextDelivery(
  outcome: DeliveryOutcome,
  attemptsBefore: number,
  settings: CompiledAlertDelivery,
  nowMs: number,
): DeliveryRecord['next'] {
  if (outcome.ok) return { state: 'delivered' };
  const attempt = attemptsBefore + 1;
  if (!outcome.retryable || attempt >= settings.maxAttempts) return { state: 'failed' };
  const backoff = Math.min(settings.retryMaxMs, settings.retryInitialMs * 2 ** (attempt - 1));
  const asked = Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return { state: 'pending', nextAttemptAt: nowMs + Math.max(backoff, asked) };
}
