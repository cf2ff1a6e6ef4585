// A second process for the store contract suite: opens the database given on
// the command line (adapter name, locator), migrates it, reports `ready`, and
// on `go` claims backfill items until none are left, then reports them.
// Started by `claimInChildProcess` in store-claim-process.ts.
import { storeAdapter } from './store-adapters.js';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'claimed'; items: [dataset: string, ordinal: number][] }
  | { type: 'error'; message: string };
export interface GoMessage {
  type: 'go';
  nowMs: number;
  limit: number;
  leaseMs: number;
  /** Wall-clock instant (Date.now()) both processes start claiming at, so their claims really overlap. */
  startAt: number;
}

const send = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

async function main() {
  const [name, locator] = process.argv.slice(2) as [string, string];
  const store = await storeAdapter(name).open(locator);
  try {
    await store.migrate();
    const go = new Promise<GoMessage>((resolve) => process.once('message', (m) => resolve(m as GoMessage)));
    await send({ type: 'ready' });
    const { nowMs, limit, leaseMs, startAt } = await go;
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
    const items: [string, number][] = [];
    for (;;) {
      const claimed = await store.claimBackfill(nowMs, limit, leaseMs);
      if (claimed.length === 0) break;
      for (const item of claimed) items.push([item.dataset, item.ordinal]);
      // Let the other process in between claims, as a real worker fetching each batch would; a claim
      // takes well under a millisecond, so without a pause one process could take everything before a
      // loaded machine even schedules the other.
      await new Promise((r) => setTimeout(r, 1));
    }
    await send({ type: 'claimed', items });
  } finally {
    await store.close();
  }
}

main().then(
  () => process.disconnect(),
  async (err) => {
    await send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  },
);
