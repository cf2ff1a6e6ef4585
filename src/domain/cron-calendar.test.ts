import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cron } from 'croner';
import { createCalendarPartitioning } from './calendar-partitioning.js';
import type { Partitioning } from './partitioning.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function ordinal(p: Partitioning, raw: unknown): number {
  const o = p.toOrdinal(raw);
  assert.equal(typeof o, 'number', `toOrdinal(${JSON.stringify(raw)}) failed: ${JSON.stringify(o)}`);
  return o as number;
}

function errorOf(p: Partitioning, raw: unknown): string {
  const o = p.toOrdinal(raw);
  assert.equal(typeof o, 'object', `toOrdinal(${JSON.stringify(raw)}) should fail, got ${String(o)}`);
  return (o as { error: string }).error;
}

/** Occurrence instants (ms) expected between two instants, inclusive. */
function occurrences(p: Partitioning, fromIso: string, toIso: string): number[] {
  const set = p.expected(Math.ceil(at(fromIso) / 60_000), Math.floor(at(toIso) / 60_000));
  return set
    .ranges()
    .flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => p.instantOf(a + k) as number));
}

describe("cron '0 2 * * *' in Asia/Shanghai", () => {
  const p = createCalendarPartitioning({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' });

  test('ordinals are epoch minutes of the occurrences', () => {
    const o = ordinal(p, '2026-01-10T02:00:00+08:00');
    assert.equal(o, at('2026-01-09T18:00:00Z') / 60_000);
    assert.equal(p.instantOf(o), at('2026-01-09T18:00:00Z'));
    assert.equal(p.valueOf(o), '2026-01-10T02:00:00+08:00');
  });

  test('enumerates exactly one occurrence per day', () => {
    const list = occurrences(p, '2025-12-31T16:00:00Z', '2026-01-31T15:59:59Z'); // January, local
    assert.equal(list.length, 31);
    assert.equal(iso(list[0]), '2025-12-31T18:00:00.000Z');
    assert.ok(list.every((ms, i) => i === 0 || ms - list[i - 1]! === 86_400_000));
  });

  test('a timestamp maps to the latest occurrence at or before it', () => {
    const jan10 = ordinal(p, '2026-01-10T02:00:00+08:00');
    assert.equal(p.toOrdinal('2026-01-10T01:59:59+08:00'), jan10 - 1440);
    assert.equal(p.toOrdinal('2026-01-10T02:00:00+08:00'), jan10);
    assert.equal(p.toOrdinal('2026-01-10T23:00:00+08:00'), jan10);
    assert.equal(p.toOrdinal('2026-01-11T01:59:59.999+08:00'), jan10);
    // A bare date names that day's occurrence, not the one before local midnight.
    assert.equal(p.toOrdinal('2026-01-10'), jan10);
  });

  test('latestDue flips at 02:00 local', () => {
    const jan10 = ordinal(p, '2026-01-10');
    assert.equal(p.latestDue(at('2026-01-09T17:59:59Z')), jan10 - 1440);
    assert.equal(p.latestDue(at('2026-01-09T18:00:00Z')), jan10);
  });

  test('describe gives local date, unix seconds, ms and UTC ISO', () => {
    assert.deepEqual(p.describe(ordinal(p, '2026-11-22')), {
      partition: '2026-11-22T02:00:00+08:00',
      date: '2026-11-22',
      unix: String(at('2026-11-21T18:00:00Z') / 1000),
      ms: String(at('2026-11-21T18:00:00Z')),
      iso: '2026-11-21T18:00:00.000Z',
    });
  });
});

describe("cron '*/5 9-15 * * 1-5' in Asia/Shanghai", () => {
  const p = createCalendarPartitioning({ cron: '*/5 9-15 * * 1-5', timezone: 'Asia/Shanghai' });

  test('84 slots per weekday (09:00-15:55), none at weekends', () => {
    assert.equal(occurrences(p, '2026-01-05T00:00:00+08:00', '2026-01-05T23:59:59+08:00').length, 84);
    assert.equal(occurrences(p, '2026-01-05T00:00:00+08:00', '2026-01-11T23:59:59+08:00').length, 5 * 84);
    assert.equal(occurrences(p, '2026-01-10T00:00:00+08:00', '2026-01-11T23:59:59+08:00').length, 0);
  });

  test('window edges are inclusive', () => {
    const first = ordinal(p, '2026-01-05T09:00:00+08:00');
    const last = ordinal(p, '2026-01-05T15:55:00+08:00');
    assert.equal(p.expected(first, last).size, 84);
    assert.equal(p.expected(first + 1, last - 1).size, 82);
    assert.equal(p.expected(first, first).size, 1);
  });

  test('records map into the 5-minute slot; weekend records fall back to Friday 15:55', () => {
    assert.equal(p.valueOf(ordinal(p, '2026-01-05T12:07:00+08:00')), '2026-01-05T12:05:00+08:00');
    assert.equal(p.valueOf(ordinal(p, '2026-01-10T12:00:00+08:00')), '2026-01-09T15:55:00+08:00');
    assert.equal(p.valueOf(ordinal(p, '2026-01-05')), '2026-01-05T09:00:00+08:00');
    assert.match(
      errorOf(p, '2026-01-10'),
      /^partition 2026-01-10 has no occurrence of cron "\*\/5 9-15 \* \* 1-5"$/,
    );
  });

  test('round trip for every occurrence of a week, in order and in reverse (the lookup cache must not go stale)', () => {
    const from = ordinal(p, '2026-01-05');
    const all = p
      .expected(from, from + 7 * 1440 - 1)
      .ranges()
      .flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => a + k));
    assert.equal(all.length, 5 * 84);
    for (const o of [...all, ...all.reverse()]) {
      assert.equal(p.toOrdinal(p.valueOf(o)), o);
      assert.equal(p.toOrdinal((p.instantOf(o) as number) + 299_999), o);
    }
  });
});

describe('cron across DST (America/New_York)', () => {
  test("'30 1 * * *' fires once on fall-back day, at the first 01:30 (05:30Z)", () => {
    const p = createCalendarPartitioning({ cron: '30 1 * * *', timezone: 'America/New_York' });
    const list = occurrences(p, '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z');
    assert.deepEqual(list.map(iso), ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    // The second 01:30 (EST) belongs to the first one's slot.
    assert.equal(p.toOrdinal('2026-11-01T01:30:00-05:00'), at('2026-11-01T05:30:00Z') / 60_000);
    // 01:10 EST reads earlier than 01:30 on the clock, but 01:30 EDT has already happened.
    assert.equal(p.toOrdinal('2026-11-01T01:10:00-05:00'), at('2026-11-01T05:30:00Z') / 60_000);
    assert.equal(p.latestDue(at('2026-11-01T06:10:00Z')), at('2026-11-01T05:30:00Z') / 60_000);
    // A window opening in the repeated hour must not pick up the 01:30 that already happened.
    assert.deepEqual(occurrences(p, '2026-11-01T06:10:00Z', '2026-11-02T12:00:00Z').map(iso), [
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  test("'0 2 * * *' on spring-forward day fires at 03:00 EDT (07:00Z)", () => {
    const p = createCalendarPartitioning({ cron: '0 2 * * *', timezone: 'America/New_York' });
    const list = occurrences(p, '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z');
    assert.deepEqual(list.map(iso), ['2026-03-08T07:00:00.000Z', '2026-03-09T06:00:00.000Z']);
  });

  test("'30 2 * * *' on spring-forward day fires at the end of the gap (03:00 EDT), unlike croner's 03:30", () => {
    const p = createCalendarPartitioning({ cron: '30 2 * * *', timezone: 'America/New_York' });
    const list = occurrences(p, '2026-03-08T00:00:00Z', '2026-03-08T23:59:00Z');
    assert.deepEqual(list.map(iso), ['2026-03-08T07:00:00.000Z']);
    // Documenting the difference: croner shifts a skipped time forward by the gap length.
    const croner = new Cron('30 2 * * *', { timezone: 'America/New_York', paused: true });
    assert.equal(
      iso(croner.nextRun(new Date('2026-03-08T00:00:00Z'))?.getTime()),
      '2026-03-08T07:30:00.000Z',
    );
  });

  test('hourly cron: 24 occurrences on fall-back day (the repeated hour fires once), 23 on spring-forward day', () => {
    const p = createCalendarPartitioning({ cron: '0 * * * *', timezone: 'America/New_York' });
    assert.equal(occurrences(p, '2026-11-01T04:00:00Z', '2026-11-02T04:59:59Z').length, 24);
    assert.equal(occurrences(p, '2026-03-08T05:00:00Z', '2026-03-09T03:59:59Z').length, 23);
  });

  for (const [tz, expression, from, to] of [
    ['America/New_York', '*/30 * * * *', '2026-03-06T00:00:00Z', '2026-03-11T00:00:00Z'],
    ['America/New_York', '0 * * * *', '2026-10-30T00:00:00Z', '2026-11-04T00:00:00Z'],
    ['Europe/Berlin', '*/30 * * * *', '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z'],
    ['Europe/Berlin', '0 3 * * 0', '2026-03-01T00:00:00Z', '2026-04-30T00:00:00Z'],
  ] as const) {
    test(`'${expression}' in ${tz} matches croner's own schedule where their DST rules agree`, () => {
      const p = createCalendarPartitioning({ cron: expression, timezone: tz });
      const croner = new Cron(expression, { timezone: tz, paused: true });
      const theirs = new Set<number>();
      for (let d = croner.nextRun(new Date(at(from) - 1)); d !== null && d.getTime() <= at(to); ) {
        theirs.add(d.getTime());
        d = croner.nextRun(new Date(d.getTime() + 1000)); // +1 s: croner's nextRuns can repeat an instant
      }
      assert.deepEqual(
        occurrences(p, from, to),
        [...theirs].sort((a, b) => a - b),
      );
    });
  }

  // How long the year takes is a figure of `npm run bench partitioning`, not a limit here.
  test('a year of 5-minute slots is enumerated exactly', () => {
    const p = createCalendarPartitioning({ cron: '*/5 * * * *', timezone: 'America/New_York' });
    const list = occurrences(p, '2026-01-01T05:00:00Z', '2027-01-01T04:59:59Z');
    // 365 * 288, minus the 12 skipped 02:xx wall times that collapse onto 03:00 EDT.
    assert.equal(list.length, 365 * 288 - 12);
  });
});

describe('cron exclusions, seconds and edge patterns', () => {
  test('weekend and date exclusions: two weeks of a daily cron expect 10 - 1 = 9; a Saturday record is rejected', () => {
    const p = createCalendarPartitioning({
      cron: '0 2 * * *',
      timezone: 'Asia/Shanghai',
      exclude: { weekdays: [0, 6], dates: ['2026-11-04'] },
    });
    assert.equal(occurrences(p, '2026-11-01T16:00:00Z', '2026-11-15T15:59:59Z').length, 9);
    assert.equal(
      errorOf(p, '2026-11-21T09:00:00+08:00'),
      'partition 2026-11-21T02:00:00+08:00 falls on an excluded weekday (Sat)',
    );
    assert.equal(
      errorOf(p, '2026-11-04'),
      'partition 2026-11-04T02:00:00+08:00 falls on an excluded date (2026-11-04)',
    );
    assert.equal(
      p.valueOf(p.latestDue(at('2026-11-22T12:00:00+08:00')) as number),
      '2026-11-20T02:00:00+08:00',
    );
  });

  test('6-field expressions use epoch seconds', () => {
    const p = createCalendarPartitioning({ cron: '*/20 * * * * *', start: '2026-01-01' });
    assert.equal(p.firstOrdinal, at('2026-01-01T00:00:00Z') / 1000);
    assert.equal(p.expected(p.firstOrdinal as number, (p.firstOrdinal as number) + 59).size, 3);
    assert.equal(p.valueOf(ordinal(p, '2026-01-01T00:00:59Z')), '2026-01-01T00:00:40+00:00');
    assert.equal(
      errorOf(p, '2025-12-31T23:59:59Z'),
      "partition 2025-12-31T23:59:40+00:00 is before the dataset's start 2026-01-01",
    );
  });

  test("'0 0 29 2 *' works although croner's previousRuns throws for it", () => {
    const p = createCalendarPartitioning({ cron: '0 0 29 2 *', timezone: 'Europe/Berlin' });
    assert.equal(p.valueOf(p.latestDue(at('2027-06-01T00:00:00Z')) as number), '2024-02-29T00:00:00+01:00');
    assert.equal(p.valueOf(ordinal(p, '2028-03-01T12:00:00+01:00')), '2028-02-29T00:00:00+01:00');
    assert.match(errorOf(p, '2028-03-01'), /has no occurrence/);
  });

  test('nicknames are accepted', () => {
    const p = createCalendarPartitioning({ cron: '@daily', timezone: 'Asia/Tokyo' });
    assert.equal(p.valueOf(ordinal(p, '2026-05-05T13:00:00+09:00')), '2026-05-05T00:00:00+09:00');
  });

  test('invalid expressions are rejected up front with a hint', () => {
    assert.throws(
      () => createCalendarPartitioning({ cron: '61 * * * *' }),
      /cron "61 \* \* \* \*" is not valid \(.*minute.*\); use 5 fields/,
    );
    assert.throws(() => createCalendarPartitioning({ cron: '* * * *' }), /is not valid/);
    assert.throws(() => createCalendarPartitioning({ cron: '0 0 0 * * * 2026' }), /is not valid/);
    assert.throws(() => createCalendarPartitioning({ cron: '0 0 30 2 *' }), /never fires/);
    assert.throws(() => createCalendarPartitioning({ cron: '' }), /cron must be a cron expression string/);
  });
});
