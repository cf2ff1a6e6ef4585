import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../internal/clock.js';
import {
  createPipeline,
  type ModuleContext,
  type ModuleResultOutput,
  type PipelineDefinition,
  PipelineMessageError,
  type PipelineOutput,
} from './pipeline.js';

const C = 60_000; // one sample a minute
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (slot: number, offsetMs = 0) => T0 + slot * C + offsetMs;

/** A pipeline whose one module returns the window it saw, so tests can read windows from outputs. */
function setup(over: Partial<PipelineDefinition> = {}) {
  const clock = createManualClock(T0);
  const seen: ModuleContext[] = [];
  const def: PipelineDefinition = {
    name: 'telemetry',
    keyBy: 'stationId',
    topics: [{ name: 'station-data' }, { name: 'station-status' }, { name: 'weather', global: true }],
    window: { samples: 3, graceMs: 0, quietCloseMs: 120_000 },
    cadenceMs: C,
    fills: { power: 'linear', state: 'forward', count: 'zero' },
    idleExpiryMs: 600_000,
    modules: [
      {
        name: 'window',
        run: (ctx) => {
          seen.push(ctx);
          return ctx.window.end;
        },
      },
    ],
    ...over,
  };
  const p = createPipeline(def, clock);
  let seq = 0;
  const send = (
    stationId: string | undefined,
    slot: number,
    payload: Record<string, unknown> = {},
    topic = 'station-data',
    offsetMs = 0,
  ) =>
    p.accept({
      topic,
      id: `${topic}-${++seq}`,
      time: at(slot, offsetMs),
      payload: { stationId, ...payload },
    });
  return { clock, p, send, seen };
}

const results = (outs: PipelineOutput[]) => outs.filter((o): o is ModuleResultOutput => o.kind === 'result');
const ends = (outs: PipelineOutput[]) => results(outs).map((o) => `${o.key}@${(o.windowEnd - T0) / C}`);

describe('windows per key', () => {
  test('keyBy splits stations; a window closes when its key moves past its last slot', () => {
    const { send } = setup();
    assert.deepEqual(ends(send('S1', 0)), []);
    assert.deepEqual(ends(send('S2', 0)), []);
    assert.deepEqual(ends(send('S1', 1)), ['S1@0']);
    assert.deepEqual(ends(send('S1', 2)), ['S1@1']);
    assert.deepEqual(ends(send('S2', 1)), ['S2@0']);
  });

  test('a window of N samples spans N cadence slots; linear fills holes exactly from real neighbours', () => {
    const { send, seen } = setup({ window: { samples: 5, graceMs: 0, quietCloseMs: 120_000 } });
    send('S1', 0, { power: 10 });
    send('S1', 1, { power: 20 });
    send('S1', 4, { power: 50 }); // slots 2 and 3 never arrive
    send('S1', 5, { power: 60 }); // closes the window ending at slot 4
    const w = seen.find((c) => c.window.end === at(4))!.window;
    assert.deepEqual(
      w.slots,
      [0, 1, 2, 3, 4].map((s) => at(s)),
    );
    assert.deepEqual(w.topics['station-data']!.present, [true, true, false, false, true]);
    assert.deepEqual(w.topics['station-data']!.values.power, [10, 20, 30, 40, 50]);
    assert.equal(w.topics['station-data']!.count, 3);
  });

  test('the fill anchor may lie before the window', () => {
    const { send, seen } = setup(); // 3 slots
    send('S1', 0, { power: 0 });
    send('S1', 4, { power: 80 });
    send('S1', 5, { power: 100 });
    const w = seen.find((c) => c.window.end === at(4))!.window;
    assert.deepEqual(w.topics['station-data']!.values.power, [40, 60, 80]);
  });

  test('at the start of a key: forward has nothing to carry (null), zero gives 0, linear null', () => {
    const { send, seen } = setup();
    send('S1', 0, { power: 5, state: 'on', count: 3 });
    send('S1', 1, { power: 7, count: 4 }); // no state: carried forward from slot 0
    send('S1', 2, {});
    const first = seen[0]!.window.topics['station-data']!;
    assert.deepEqual(first.present, [false, false, true]);
    assert.deepEqual(first.values.state, [null, null, 'on']);
    assert.deepEqual(first.values.count, [0, 0, 3]);
    assert.deepEqual(first.values.power, [null, null, 5]);
    const second = seen[1]!.window.topics['station-data']!;
    assert.deepEqual(second.values.state, [null, 'on', 'on']);
    assert.deepEqual(second.samples[2], { stationId: 'S1', power: 7, count: 4 });
  });

  test('a duration window over message time uses the same slots', () => {
    const { send, seen } = setup({ window: { duration: 4 * C, graceMs: 0, quietCloseMs: 120_000 } });
    send('S1', 0, { power: 1 }, 'station-data', 30_000); // mid-slot: belongs to slot 0
    send('S1', 1, { power: 2 });
    assert.equal(seen[0]!.window.slots.length, 4);
    assert.deepEqual(seen[0]!.window.topics['station-data']!.values.power, [null, null, null, 1]);
  });

  test('grace keeps a window open for late and out-of-order messages of other topics', () => {
    const { send, seen } = setup({ window: { samples: 2, graceMs: 90_000, quietCloseMs: 600_000 } });
    send('S1', 0, { power: 1 });
    assert.deepEqual(ends(send('S1', 1, { power: 2 })), []); // slot 0 ended at 1:00, grace until 2:30
    send('S1', 0, { state: 'on' }, 'station-status', 10_000); // out of order, still in time
    assert.deepEqual(ends(send('S1', 2, { power: 3 }, 'station-data', 30_000)), ['S1@0']);
    assert.deepEqual(seen[0]!.window.topics['station-status']!.values.state, [null, 'on']);
  });

  test('a quiet key closes its windows by the clock, with only what it has', () => {
    const { clock, p, send, seen } = setup();
    send('S1', 0, { power: 10 });
    send('S1', 1, { power: 20 });
    clock.advance(119_999);
    assert.deepEqual(ends(p.tick()), []);
    clock.advance(1);
    assert.deepEqual(ends(p.tick()), ['S1@1']);
    const w = seen.at(-1)!.window;
    assert.equal(w.closedBy, 'quiet');
    assert.deepEqual(w.topics['station-data']!.values.power, [null, 10, 20]);
    assert.equal(p.stats().quietCloses, 1);
    assert.deepEqual(ends(p.tick()), []); // nothing left open
  });

  test('a message for a closed window is dropped as late and settled; a redelivered one is ignored', () => {
    const { p, send } = setup();
    send('S1', 0);
    send('S1', 1);
    p.settled();
    assert.deepEqual(ends(send('S1', 0, {}, 'station-status')), []);
    assert.deepEqual(p.settled(), [{ topic: 'station-status', id: 'station-status-3' }]);
    const again = p.accept({
      topic: 'station-data',
      id: 'station-data-2',
      time: at(1),
      payload: { stationId: 'S1' },
    });
    assert.deepEqual(again, []);
    assert.deepEqual(p.stats().duplicates, 1);
    assert.equal(p.stats().late, 1);
  });

  test('redelivered messages behind closed windows (a dead consumer taken over) get their own windows', () => {
    const { p, send, clock } = setup({ window: { samples: 1, graceMs: 0, quietCloseMs: 1_000 } });
    // This process read slots 10..12 first; the dead consumer's slots 3..5 come back after the ack wait.
    for (const slot of [10, 11, 12]) send('S1', slot);
    const replay = (slot: number, id: string) =>
      p.accept({
        topic: 'station-data',
        id,
        time: at(slot),
        payload: { stationId: 'S1' },
        redelivered: true,
      });
    const out = [...replay(3, 'old-3'), ...replay(4, 'old-4'), ...replay(5, 'old-5')];
    assert.deepEqual(ends(out), ['S1@3', 'S1@4']);
    clock.advance(1_000);
    assert.deepEqual(ends(p.tick()), ['S1@12', 'S1@5'], 'the last of each closes when quiet');
    assert.equal(p.stats().late, 0);
    // Not redelivered: a message that old is late, as before.
    assert.deepEqual(ends(send('S1', 6)), []);
    assert.equal(p.stats().late, 1);
  });

  test('two messages for one slot: the newer message time wins, the loser settles at once', () => {
    const { p, send, seen } = setup();
    send('S1', 0, { power: 1 }, 'station-data', 5000);
    send('S1', 0, { power: 2 }, 'station-data', 1000); // older than the held one: dropped
    send('S1', 0, { power: 3 }, 'station-data', 9000); // newer: replaces it
    assert.deepEqual(
      p.settled().map((m) => m.id),
      ['station-data-2', 'station-data-1'],
    );
    send('S1', 1, { power: 4 });
    assert.deepEqual(seen[0]!.window.topics['station-data']!.values.power, [null, null, 3]);
  });

  test('a message for an earlier slot still open joins its window in order', () => {
    const { send, seen } = setup({ window: { samples: 2, graceMs: 120_000, quietCloseMs: 600_000 } });
    send('S1', 0, { power: 0 });
    send('S1', 2, { power: 20 });
    send('S1', 1, { power: 10 }); // out of order, within grace
    send('S1', 5, { power: 50 }); // closes windows @0, @1, @2
    assert.deepEqual(
      seen.map((c) => [(c.window.end - T0) / C, c.window.topics['station-data']!.values.power]),
      [
        [0, [null, 0]],
        [1, [0, 10]],
        [2, [10, 20]],
      ],
    );
  });

  test("closeBy 'stream': another key's newer messages close a key's windows; 'key' waits for its own", () => {
    for (const closeBy of ['key', 'stream'] as const) {
      const { send } = setup({ window: { samples: 3, graceMs: 0, quietCloseMs: 600_000, closeBy } });
      send('S1', 0);
      send('S2', 0);
      // S2 then skips slots 1 and 2.
      assert.deepEqual(ends(send('S1', 1)), closeBy === 'key' ? ['S1@0'] : ['S1@0', 'S2@0'], closeBy);
      assert.deepEqual(ends(send('S1', 2)), ['S1@1'], closeBy);
      // S2 catches up: per key, its slot-1 message closes S2@0; per stream, it closes its own window at once.
      assert.deepEqual(ends(send('S2', 1)), closeBy === 'key' ? ['S2@0'] : ['S2@1'], closeBy);
    }
  });

  test('idle keys expire: their state is dropped and their messages settled', () => {
    const { clock, p, send } = setup();
    send('S1', 0);
    send('S1', 1);
    assert.equal(p.stats().keys, 1);
    clock.advance(600_000);
    assert.deepEqual(ends(p.tick()), ['S1@1']);
    assert.equal(p.stats().keys, 0);
    assert.equal(p.stats().expiredKeys, 1);
    assert.equal(p.stats().held, 0);
    assert.deepEqual(
      p
        .settled()
        .map((m) => m.id)
        .sort(),
      ['station-data-1', 'station-data-2'],
    );
    // The key comes back with fresh state: its old slots are not late any more.
    send('S1', 1);
    assert.equal(p.stats().late, 0);
  });
});

describe('settling messages for at-least-once', () => {
  test('a message settles only once no open window can use it', () => {
    const { p, send } = setup(); // windows of 3 slots
    send('S1', 0, { power: 1 });
    send('S1', 1, { power: 2 }); // closes window @0
    send('S1', 2, { power: 3 }); // closes @1
    assert.deepEqual(p.settled(), []);
    send('S1', 3, { power: 4 }); // closes @2: slot 0 is still the anchor before window @3 (slots 1..3)
    assert.deepEqual(p.settled(), []);
    send('S1', 4, { power: 5 }); // closes @3: the next window starts at slot 2, slot 1 is its anchor
    assert.deepEqual(p.settled(), [{ topic: 'station-data', id: 'station-data-1' }]);
    assert.equal(p.stats().held, 4);
  });
});

describe('malformed messages', () => {
  test('a missing key field or unknown topic throws a PipelineMessageError with the reason', () => {
    const { p, send } = setup();
    assert.throws(
      () => send(undefined, 0),
      (e: unknown) =>
        e instanceof PipelineMessageError && e.reason === 'missing-key' && /stationId/.test(e.message),
    );
    assert.throws(
      () => p.accept({ topic: 'nope', id: 'x', time: at(0), payload: { stationId: 'S1' } }),
      (e: unknown) =>
        e instanceof PipelineMessageError && e.reason === 'unknown-topic' && e.code === 'RECORD_INVALID',
    );
    assert.throws(
      () => p.accept({ topic: 'station-data', id: 'y', time: Number.NaN, payload: { stationId: 'S1' } }),
      (e: unknown) => e instanceof PipelineMessageError && e.reason === 'invalid-time',
    );
    send('S1', 0);
    assert.equal(ends(send('S1', 1)).length, 1); // the pipeline goes on
  });
});

describe('global data', () => {
  test('reaches every key, including one that appears later; a newer message replaces it', () => {
    const { p, send, seen } = setup();
    send(undefined, 0, { tempC: 4 }, 'weather');
    send('S1', 0);
    send('S1', 1);
    assert.equal(seen[0]!.global.weather!.payload.tempC, 4);
    send(undefined, 1, { tempC: 6 }, 'weather');
    assert.deepEqual(p.settled(), [{ topic: 'weather', id: 'weather-1' }]);
    send('S2', 1); // a station that appears after both weather messages
    send('S2', 2);
    assert.equal(seen.at(-1)!.key, 'S2');
    assert.equal(seen.at(-1)!.global.weather!.payload.tempC, 6);
    assert.equal(seen[0]!.global.weather!.payload.tempC, 4); // a closed window keeps what it saw
  });
});
