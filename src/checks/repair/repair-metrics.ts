import { Counter, type Registry } from 'prom-client';
import type { Repairs } from './repairs.js';

/**
 * Repair metrics: `gapwarden_check_repair_findings_total{check, outcome}`,
 * the findings repair runs acted on by outcome (repaired, unchanged,
 * fixed-meanwhile, failed). Returns the detach.
 */
export function registerRepairMetrics(registry: Registry, repairs: Repairs): () => void {
  const actions = new Counter({
    name: 'gapwarden_check_repair_findings_total',
    help: 'Findings acted on by repair runs, by check and outcome (repaired, unchanged, fixed-meanwhile, failed).',
    labelNames: ['check', 'outcome'] as const,
    registers: [registry],
  });
  const detach = repairs.onOutcome((check, outcome, n) => actions.inc({ check, outcome }, n));
  return () => {
    detach();
    registry.removeSingleMetric('gapwarden_check_repair_findings_total');
  };
}
