// The Store contract for ingest activity: how many records each dataset stored per
// minute, and how many of them the backfill worker stored. Every adapter in
// STORE_ADAPTERS passes the same tests against a real, fresh database per test.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { RecordRow, Store } from '../src/store/store.js';
import { STORE_ADAPTERS, type StoreAdapter } from './helpers/store-adapters.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A whole hour, so minute and hour buckets start on it. */
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

const row = (ordinal: number, payload = `{"p":${ordinal}}`) =>
  ({ key: `k${ordinal}`, ordinal, payload, source: 's1' }) satisfies RecordRow;
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i));

/** Undoes the activity migration as if the database was written by the version before it. */
async function forgetActivityMigration(adapter: StoreAdapter, locator: string): Promise<void> {
  const sql = 'DROP TABLE ingest_activity; DELETE FROM schema_migrations WHERE version = 4';
  if (adapter.name === 'sqlite') {
    const db = new Database(locator);
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: locator });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function activityContract(adapter: StoreAdapter) {
  let locator: string;
  let opened: Store[];
  let store: Store;

  const connect = async () => {
    const s = await adapter.open(locator);
    opened.push(s);
    await s.migrate();
    return s;
  };

  beforeEach(async () => {
    opened = [];
    locator = await adapter.createDatabase();
    store = await connect();
    await store.ensureDataset('draws');
    await store.ensureDataset('other');
  });

  afterEach(async () => {
    for (const s of opened) await s.close();
    await adapter.dropDatabase(locator);
  });

  it('counts the records stored per minute, and which of them the backfill stored', async () => {
    await store.ingest('draws', rows(1, 3), 'ignore', T0 + 5_000);
    await store.ingest('draws', rows(10, 11), 'ignore', T0 + 30_000, 'backfill');
    // Duplicates store nothing new, so they count nothing.
    await store.ingest('draws', rows(1, 3), 'ignore', T0 + 40_000);
    await store.ingest('draws', rows(4, 5), 'ignore', T0 + 5 * MINUTE + 1);
    await store.ingest('other', rows(1, 9), 'ignore', T0 + 5_000, 'backfill');
    assert.deepEqual(await store.listActivity('draws', T0, T0 + HOUR, MINUTE), [
      { start: T0, inserted: 5, filled: 2 },
      { start: T0 + 5 * MINUTE, inserted: 2, filled: 0 },
    ]);
    assert.deepEqual(await store.listActivity('other', T0, T0 + HOUR, MINUTE), [
      { start: T0, inserted: 9, filled: 9 },
    ]);
  });

  it('sums minutes into longer buckets aligned to multiples of their length, within [from, to)', async () => {
    await store.ingest('draws', rows(1, 2), 'ignore', T0 - 1);
    await store.ingest('draws', rows(3, 5), 'ignore', T0 + 7 * MINUTE);
    await store.ingest('draws', rows(6, 6), 'ignore', T0 + 59 * MINUTE, 'backfill');
    await store.ingest('draws', rows(7, 10), 'ignore', T0 + HOUR);
    assert.deepEqual(await store.listActivity('draws', T0 - HOUR, T0 + 2 * HOUR, HOUR), [
      { start: T0 - HOUR, inserted: 2, filled: 0 },
      { start: T0, inserted: 4, filled: 1 },
      { start: T0 + HOUR, inserted: 4, filled: 0 },
    ]);
    assert.deepEqual(await store.listActivity('draws', T0, T0 + HOUR, 15 * MINUTE), [
      { start: T0, inserted: 3, filled: 0 },
      { start: T0 + 45 * MINUTE, inserted: 1, filled: 1 },
    ]);
    assert.deepEqual(await store.listActivity('draws', T0 + 2 * HOUR, T0 + 3 * HOUR, HOUR), []);
  });

  it('counts no update and nothing of a batch that failed whole', async () => {
    await store.ingest('draws', [row(1, '{"v":1}')], 'update', T0);
    await store.ingest('draws', [row(1, '{"v":2}')], 'update', T0 + 1_000);
    await assert.rejects(store.ingest('draws', [row(2), row(1.5)], 'ignore', T0 + 2_000));
    assert.deepEqual(await store.listActivity('draws', T0, T0 + MINUTE, MINUTE), [
      { start: T0, inserted: 1, filled: 0 },
    ]);
  });

  it('refuses a bucket that is not a whole number of minutes, and an unknown dataset', async () => {
    await assert.rejects(
      store.listActivity('draws', T0, T0 + HOUR, 90_000),
      /whole number of minutes, got 90000/,
    );
    await assert.rejects(store.listActivity('nope', T0, T0 + HOUR, MINUTE), /unknown dataset "nope"/);
  });

  it('counts the records of a store written before activity was kept, by the minute they were stored', async () => {
    await store.ingest('draws', rows(1, 4), 'ignore', T0 + 1_000);
    await store.ingest('draws', rows(5, 5), 'ignore', T0 + 3 * MINUTE, 'backfill');
    for (const s of opened.splice(0)) await s.close();
    await forgetActivityMigration(adapter, locator);
    store = await connect();
    // Who stored the older records is not known: they count as stored, none as filled.
    assert.deepEqual(await store.listActivity('draws', T0, T0 + HOUR, MINUTE), [
      { start: T0, inserted: 4, filled: 0 },
      { start: T0 + 3 * MINUTE, inserted: 1, filled: 0 },
    ]);
  });
}

for (const adapter of STORE_ADAPTERS) {
  describe(`Store contract, ingest activity: ${adapter.name}`, { skip: adapter.skip }, () =>
    activityContract(adapter),
  );
}
