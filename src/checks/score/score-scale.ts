import type { CompiledScoreScale } from '../../config/compiled-checks.js';

/** A run's health from its score: healthy ≥ 95, degraded ≥ 80, unhealthy below (defaults). */
export type CheckHealth = 'healthy' | 'degraded' | 'unhealthy';
/** How urgent a run's result is: low ≥ 95, medium ≥ 80, high ≥ 50, critical below (defaults). */
export type CheckLevel = 'low' | 'medium' | 'high' | 'critical';

export const CHECK_HEALTHS: readonly CheckHealth[] = ['healthy', 'degraded', 'unhealthy'];
export const CHECK_LEVELS: readonly CheckLevel[] = ['low', 'medium', 'high', 'critical'];

/** The health of a score (percent); a threshold itself belongs to the better side. */
export function healthOf(score: number, scale: CompiledScoreScale): CheckHealth {
  if (score >= scale.healthy) return 'healthy';
  if (score >= scale.degraded) return 'degraded';
  return 'unhealthy';
}

/** The level of a score (percent); a threshold itself belongs to the better side. */
export function levelOf(score: number, scale: CompiledScoreScale): CheckLevel {
  if (score >= scale.low) return 'low';
  if (score >= scale.medium) return 'medium';
  if (score >= scale.high) return 'high';
  return 'critical';
}

/** A completion rate as a score: 100 when there is nothing to complete. Rounded to 4 decimals. */
export function completionScore(complete: number, total: number): number {
  if (total <= 0) return 100;
  return Math.round((complete / total) * 100 * 10_000) / 10_000;
}
