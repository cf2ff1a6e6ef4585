import { createArchiveModule } from '../../src/archive/archive-module.js';
import type { Archive, ArchiveOptions } from '../../src/archive/archive-runtime.js';
import { compileConfig } from '../../src/config/compile-config.js';
import { BUILT_IN_MODULES } from '../../src/engine/built-in-modules.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { Clock } from '../../src/internal/clock.js';
import { silentLogger } from '../../src/internal/logger.js';
import type { Store } from '../../src/store/store.js';

/** 2026-11-20T12:00Z: "now" in the archive tests; days through 2026-11-12 are past a 7-day retention. */
export const NOW = Date.UTC(2026, 10, 20, 12);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const FIRST = Date.UTC(2026, 10, 10);

/** Where the test's objects go: a folder, or a bucket of an S3-compatible server. */
export type TestObjectStore =
  | { folder: string }
  | {
      s3: { bucket: string; endpoint: string; accessKeyId: string; secretAccessKey: string; prefix?: string };
    };

/** An hourly `events` dataset from 2026-11-10 with a 7-day retention, batches of 7 deletes. */
export function archiveTestConfig(objects: TestObjectStore, lifecycle: Record<string, unknown> = {}) {
  return compileConfig(
    {
      store: { sqlite: '/nonexistent/unused.db' },
      datasets: {
        events: { partition: { calendar: { every: '1h', start: '2026-11-10T00:00:00Z', horizon: false } } },
      },
      archive: {
        store: objects as never,
        datasets: { events: { retention: '7d', deleteBatch: 7, ...lifecycle } },
      },
    },
    { env: {} },
  );
}

/** An engine on `store` whose archive module is built with `options` (crash points, ...). */
export function archiveEngine(
  store: Store,
  config: ReturnType<typeof archiveTestConfig>,
  clock: Clock,
  options: ArchiveOptions = {},
): { engine: Engine; archive: Archive } {
  const def = createArchiveModule(options);
  const modules = [...BUILT_IN_MODULES.filter((m) => m.name !== 'archive'), def];
  const engine = createEngine({ config, store, clock, logger: silentLogger, modules });
  return { engine, archive: engine.module(def) };
}

/**
 * Gateway-like events: `perHour` per hour from FIRST until `until`, with payloads whose
 * text a re-serialisation would change (1.50, key order, unicode, spaces in strings).
 */
export function gatewayEvents(until: number, perHour = 3) {
  const out: { key: string; partition: string; payload: unknown }[] = [];
  for (let t = FIRST; t < until; t += HOUR) {
    for (let i = 0; i < perHour; i++) {
      const at = new Date(t + i * 1000).toISOString();
      out.push({
        key: `${at}#${i}`,
        partition: new Date(t).toISOString(),
        payload: {
          z: 1,
          path: `/v1/items/${i}`,
          latency_ms: 12.5 + i,
          client: `c-${(t / HOUR + i) % 17}`,
          note: 'café «ok»',
          a: [1, { b: null }],
        },
      });
    }
  }
  return out;
}
