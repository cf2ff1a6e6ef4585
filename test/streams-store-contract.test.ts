// The streams module's part of the store (checkpoints, per-minute activity, batch reports): the same
// tests on every adapter in STORE_ADAPTERS, a fresh database each.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../src/store/store.js';
import type { StoredBatchReport, StreamStore } from '../src/streams/store/stream-store.js';
import { streamStorePart } from '../src/streams/store/stream-store-part.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

const report = (over: Partial<StoredBatchReport> = {}): StoredBatchReport => ({
  pipeline: 'telemetry',
  batchId: '2026-01-01T10:00:00.000Z',
  windowEnd: T0,
  status: 'complete',
  openedAt: T0 + 100,
  closedAt: T0 + 200,
  expectedKeys: ['S1', 'S2'],
  reportedKeys: 2,
  missingKeys: [],
  missingTopics: [],
  availabilityRatio: 1,
  ...over,
});

for (const adapter of STORE_ADAPTERS) {
  describe(`stream store part on ${adapter.name}`, { skip: adapter.skip }, () => {
    let locator: string;
    let store: Store;
    let streams: StreamStore;
    beforeEach(async () => {
      locator = await adapter.createDatabase();
      store = await adapter.open(locator);
      streams = store.part(streamStorePart);
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
      await adapter.dropDatabase(locator);
    });

    it('adds each commit to the topic checkpoints and to its minute', async () => {
      const topic = (acked: number, deadLetters: number, lastId: string | null, lag: number | null) => ({
        pipeline: 'telemetry',
        topic: 'station-data',
        acked,
        deadLetters,
        lastId,
        lag,
      });
      await streams.saveCommit({ at: T0 + 1_000, topics: [topic(100, 2, '100', 40)], batches: [] });
      await streams.saveCommit({
        at: T0 + 6_000,
        topics: [topic(40, 1, '140', null)],
        batches: [report()],
        moduleFailures: [{ pipeline: 'telemetry', count: 2 }],
      });
      await streams.saveCommit({ at: T0 + 61_000, topics: [topic(5, 0, null, 0)], batches: [] });
      const [cp] = await streams.checkpoints('telemetry');
      assert.deepEqual(cp, {
        pipeline: 'telemetry',
        topic: 'station-data',
        acked: 145,
        deadLetters: 3,
        lastId: '140',
        lag: 0,
        committedAt: T0 + 61_000,
      });
      assert.deepEqual(await streams.checkpoints('other'), []);
      const minutes = await streams.minutes({ pipeline: 'telemetry', since: T0 });
      assert.deepEqual(
        minutes.map((m) => [
          m.minute - T0,
          m.messages,
          m.deadLetters,
          m.batches,
          m.availability,
          m.moduleFailures,
        ]),
        [
          [0, 140, 3, 1, 1, 2],
          [60_000, 5, 0, 0, null, 0],
        ],
      );
    });

    it('keeps one report per batch (a batch closed again replaces it) and summarises availability', async () => {
      await streams.saveCommit({
        at: T0,
        topics: [],
        batches: [
          report({ availabilityRatio: 0.5, status: 'timed-out', missingKeys: ['S2'], reportedKeys: 1 }),
        ],
      });
      await streams.saveCommit({
        at: T0,
        topics: [],
        batches: [report({ closedAt: T0 + 300, availabilityRatio: 0.75 })],
      });
      await streams.saveCommit({
        at: T0 + 60_000,
        topics: [],
        batches: [
          report({
            batchId: 'b2',
            closedAt: T0 + 60_000,
            availabilityRatio: 0.25,
            status: 'timed-out',
            missingTopics: ['weather'],
          }),
        ],
      });
      const recent = await streams.recentBatches({ pipeline: 'telemetry', limit: 10 });
      assert.deepEqual(
        recent.map((b) => [b.batchId, b.status, b.availabilityRatio]),
        [
          ['b2', 'timed-out', 0.25],
          ['2026-01-01T10:00:00.000Z', 'complete', 0.75],
        ],
      );
      assert.deepEqual(recent[0]?.missingTopics, ['weather']);
      assert.deepEqual(await streams.batchSummary('telemetry', T0), {
        batches: 2,
        timedOut: 1,
        minAvailability: 0.25,
        lastAvailability: 0.25,
      });
      assert.deepEqual(await streams.batchSummary('telemetry', T0 + 120_000), {
        batches: 0,
        timedOut: 0,
        minAvailability: null,
        lastAvailability: null,
      });
    });
  });
}
