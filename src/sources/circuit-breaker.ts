import type { SourceHealth } from '../domain/source-health.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';

export type BreakerState = SourceHealth['state'];

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 3 */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call. @default 30000 */
  cooldownMs?: number;
  clock: Clock;
  /** Called after every transition, with the new and the previous state. */
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /**
   * Whether a call may go out now. Once the cooldown has passed, an open
   * breaker turns half-open and admits exactly one trial; further calls are
   * refused until that trial reports back.
   */
  canCall(): boolean;
  /** The call succeeded (or the source answered, e.g. "not found"): close. */
  onSuccess(): void;
  /** The call failed: count it; open at the threshold, or re-open after a failed trial. */
  onFailure(err: unknown): void;
  /** The call ended without a verdict (aborted, unsupported): free the half-open trial slot. */
  release(): void;
  /** When an open breaker admits its next trial, else null. */
  retryAt(): number | null;
  health(name: string): SourceHealth;
}

/**
 * A three-state circuit breaker (closed → open → half-open → closed/open)
 * driven by an injected clock, so tests move time instead of sleeping.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 30_000, clock });
 * if (breaker.canCall()) {
 *   try { await call(); breaker.onSuccess(); } catch (err) { breaker.onFailure(err); }
 * }
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const threshold = options.failureThreshold ?? 3;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const { clock } = options;
  let state: BreakerState = 'closed';
  let consecutiveFailures = 0;
  let lastSuccessAt: number | null = null;
  let lastFailureAt: number | null = null;
  let lastError: string | null = null;
  let openUntil: number | null = null;
  let trialInFlight = false;

  const transition = (next: BreakerState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    options.onStateChange?.(next, previous);
  };

  const open = () => {
    openUntil = clock.now() + cooldownMs;
    trialInFlight = false;
    transition('open');
  };

  return {
    get state() {
      return state;
    },

    canCall() {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (openUntil !== null && clock.now() < openUntil) return false;
        transition('half-open');
      }
      if (trialInFlight) return false;
      trialInFlight = true;
      return true;
    },

    onSuccess() {
      consecutiveFailures = 0;
      lastSuccessAt = clock.now();
      openUntil = null;
      trialInFlight = false;
      transition('closed');
    },

    onFailure(err) {
      consecutiveFailures++;
      lastFailureAt = clock.now();
      lastError = describeError(err);
      if (state === 'half-open' || (state === 'closed' && consecutiveFailures >= threshold)) open();
      // A failure reported while already open (a call that started before it opened) changes nothing else.
    },

    release() {
      trialInFlight = false;
    },

    retryAt() {
      return state === 'open' ? openUntil : null;
    },

    health(name) {
      return {
        source: name,
        state,
        consecutiveFailures,
        lastSuccessAt,
        lastFailureAt,
        lastError,
        retryAt: state === 'open' ? openUntil : null,
      };
    },
  };
}
