import { Gauge, type Registry } from 'prom-client';
import type { Rollups } from './rollups-runtime.js';

/**
 * Rollup lag, read from the store at each scrape: how many inserted records
 * wait to be counted and how old the oldest of them is; and the records
 * applied so far.
 */
export function registerRollupMetrics(registry: Registry, rollups: Rollups): () => void {
  const collect = async () => {
    const status = await rollups.status();
    for (const s of status) {
      lagSeconds.set({ rollup: s.name, dataset: s.dataset }, s.lagSeconds);
      pending.set({ rollup: s.name, dataset: s.dataset }, s.pendingRecords);
      applied.set({ rollup: s.name, dataset: s.dataset }, s.applied);
    }
  };
  let inflight: Promise<void> | undefined;
  const once = () => {
    inflight ??= collect().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  const lagSeconds = new Gauge({
    name: 'gapwarden_rollup_lag_seconds',
    help: 'Age of the oldest inserted record a rollup has not counted yet (0 when caught up)',
    labelNames: ['rollup', 'dataset'],
    registers: [registry],
    collect: once,
  });
  const pending = new Gauge({
    name: 'gapwarden_rollup_pending_records',
    help: 'Inserted records a rollup has not counted yet',
    labelNames: ['rollup', 'dataset'],
    registers: [registry],
    collect: once,
  });
  const applied = new Gauge({
    name: 'gapwarden_rollup_applied_records',
    help: 'Records a rollup has counted since it began',
    labelNames: ['rollup', 'dataset'],
    registers: [registry],
    collect: once,
  });
  return () => {
    for (const m of [
      'gapwarden_rollup_lag_seconds',
      'gapwarden_rollup_pending_records',
      'gapwarden_rollup_applied_records',
    ]) {
      registry.removeSingleMetric(m);
    }
  };
}
