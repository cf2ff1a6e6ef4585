import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cron } from 'croner';
import { formatZoned, wallTimeAt } from '../time-zone.js';
import { compileSchedule } from './compile-schedule.js';
import { createCronSequence } from './cron-sequence.js';
import { seededUnit } from './schedule-jitter.js';

const at = (iso: string): number => Date.parse(iso);
const MIN = 60_000;
const H = 3_600_000;

function dueLocal(expr: string, tz: string, fromIso: string, toIso: string): string[] {
  const s = compileSchedule({ cron: expr, timezone: tz });
  return s.dueBetween(at(fromIso), at(toIso), 1000).map((t) => formatZoned(tz, t));
}

describe('DST: a local time that does not exist runs once, at the next valid instant', () => {
  test('02:30 on 2026-03-08 in America/New_York runs at 03:00 EDT', () => {
    assert.deepEqual(
      dueLocal('30 2 * * *', 'America/New_York', '2026-03-07T00:00:00-05:00', '2026-03-09T23:59:00-04:00'),
      ['2026-03-07T02:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00'],
    );
  });

  test('02:30 on 2026-03-29 in Europe/Berlin runs at 03:00 CEST', () => {
    assert.deepEqual(
      dueLocal('30 2 * * *', 'Europe/Berlin', '2026-03-28T00:00:00+01:00', '2026-03-30T23:59:00+02:00'),
      ['2026-03-28T02:30:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00'],
    );
  });

  test('several skipped times collapse into one run; the hour after keeps its own', () => {
    assert.deepEqual(
      dueLocal('*/20 * * * *', 'America/New_York', '2026-03-08T01:30:00-05:00', '2026-03-08T03:30:00-04:00'),
      [
        '2026-03-08T01:40:00-05:00',
        '2026-03-08T03:00:00-04:00', // 02:00, 02:20, 02:40 and 03:00 itself: one run
        '2026-03-08T03:20:00-04:00',
      ],
    );
  });
});

describe('DST: a local time that happens twice runs once', () => {
  test('01:30 on 2026-11-01 in America/New_York runs at the first 01:30 (EDT)', () => {
    assert.deepEqual(
      dueLocal('30 1 * * *', 'America/New_York', '2026-10-31T00:00:00-04:00', '2026-11-02T23:59:00-05:00'),
      ['2026-10-31T01:30:00-04:00', '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00'],
    );
  });

  test('02:30 on 2026-10-25 in Europe/Berlin runs at the first 02:30 (CEST)', () => {
    assert.deepEqual(
      dueLocal('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00+02:00', '2026-10-26T23:59:00+01:00'),
      ['2026-10-24T02:30:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00'],
    );
  });

  test('asking from inside the repeated hour does not run it again', () => {
    const s = createCronSequence('30 1 * * *', 'America/New_York');
    // 01:10 EST, the second pass, after 01:30 EDT has run.
    const next = s.next(at('2026-11-01T01:10:00-05:00'));
    assert.equal(formatZoned('America/New_York', next!), '2026-11-02T01:30:00-05:00');
  });

  test('an hourly-or-finer cron pauses through the repeated hour (use `every` to keep the pace)', () => {
    assert.deepEqual(
      dueLocal('*/30 * * * *', 'America/New_York', '2026-11-01T00:45:00-04:00', '2026-11-01T02:30:00-05:00'),
      [
        '2026-11-01T01:00:00-04:00',
        '2026-11-01T01:30:00-04:00',
        '2026-11-01T02:00:00-05:00',
        '2026-11-01T02:30:00-05:00',
      ],
    );
  });
});

test('Asia/Shanghai (no DST) runs daily 02:00 at 18:00 UTC the day before', () => {
  const s = compileSchedule({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
  const list = s.dueBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), 400);
  assert.equal(list.length, 365);
  assert.ok(list.every((t) => new Date(t).toISOString().endsWith('T18:00:00.000Z')));
});

/**
 * An independent reading of the rule: sweep the clock minute by minute; a run
 * is due the first time the local clock reaches (or jumps past) a matching time.
 */
function bruteForce(expr: string, tz: string, fromMs: number, toMs: number): number[] {
  const pattern = new Cron(expr, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
  const out: number[] = [];
  let maxWall = wallTimeAt(tz, fromMs);
  for (let t = fromMs + MIN; t <= toMs; t += MIN) {
    const wall = wallTimeAt(tz, t);
    if (wall <= maxWall) continue; // the repeated hour: these times were shown already
    for (let w = maxWall + MIN; w <= wall; w += MIN) {
      if (pattern.match(new Date(w))) {
        out.push(t);
        break;
      }
    }
    maxWall = wall;
  }
  return out;
}

describe('matches a minute-by-minute sweep of the clock around every change', () => {
  const days = [
    ['America/New_York', '2026-03-08T00:00:00Z'],
    ['America/New_York', '2026-11-01T00:00:00Z'],
    ['Europe/Berlin', '2026-03-29T00:00:00Z'],
    ['Europe/Berlin', '2026-10-25T00:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-05T00:00:00+10:30'], // a 30-minute change
    ['Australia/Lord_Howe', '2026-10-04T00:00:00+10:00'],
    ['Asia/Shanghai', '2026-03-08T00:00:00Z'],
  ] as const;
  const expressions = [
    '30 2 * * *',
    '30 1 * * *',
    '*/15 * * * *',
    '0 * * * *',
    '*/7 1-3 * * *',
    '45 1,2 * * 0',
  ];
  for (const [tz, dayIso] of days) {
    test(`${tz} around ${dayIso.slice(0, 10)}`, () => {
      const from = at(dayIso) - 12 * H;
      const to = at(dayIso) + 36 * H;
      for (const expr of expressions) {
        const expected = bruteForce(expr, tz, from, to);
        const seq = createCronSequence(expr, tz);
        const got: number[] = [];
        for (let t = seq.next(from); t !== undefined && t <= to; t = seq.next(t)) got.push(t);
        assert.deepEqual(
          got.map((t) => formatZoned(tz, t)),
          expected.map((t) => formatZoned(tz, t)),
          expr,
        );
        // From any instant, next() is the first due time after it (fast and exact paths agree).
        const fresh = createCronSequence(expr, tz);
        const last = expected.at(-1);
        assert.ok(last !== undefined, `${expr} has due times around ${dayIso}`);
        // Up to the last brute-forced due time, so every instant has a known next one.
        for (let t = from; t < last; t += 7 * MIN + 13_000) {
          const want = expected.find((d) => d > t);
          assert.equal(fresh.next(t), want, `${expr} after ${formatZoned(tz, t)}`);
        }
      }
    });
  }
});

describe('DST and windows: a window follows the local clock', () => {
  test('open twice in a repeated hour, for an interval rule', () => {
    const s = compileSchedule({ every: '10m', between: ['01:00', '02:00'], timezone: 'America/New_York' });
    const list = s.dueBetween(at('2026-11-01T00:00:00-04:00'), at('2026-11-01T03:00:00-05:00'), 100);
    assert.equal(list.length, 12);
    assert.equal(formatZoned('America/New_York', list[6]!), '2026-11-01T01:00:00-05:00');
  });

  test('not open at all when its hour is skipped', () => {
    const s = compileSchedule({ every: '10m', between: ['02:00', '03:00'], timezone: 'America/New_York' });
    const list = s.dueBetween(at('2026-03-07T12:00:00-05:00'), at('2026-03-09T12:00:00-04:00'), 100);
    assert.deepEqual(
      [...new Set(list.map((t) => formatZoned('America/New_York', t).slice(0, 10)))],
      ['2026-03-09'],
    );
  });

  test('every ignores DST: one run per hour through both changes', () => {
    const s = compileSchedule({ every: '1h' });
    const list = s.dueBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'), 100);
    assert.equal(list.length, 24);
  });
});

test("croner's own timezone option fires a skipped 02:30 at 03:30 (why we convert wall times ourselves)", () => {
  // If this starts failing after a croner upgrade, croner changed its DST rule: revisit cron-sequence.ts.
  const croner = new Cron('30 2 * * *', { timezone: 'America/New_York', paused: true });
  const theirs = croner.nextRun(new Date(at('2026-03-08T00:00:00-05:00')))!.getTime();
  assert.equal(formatZoned('America/New_York', theirs), '2026-03-08T03:30:00-04:00');
  const ours = createCronSequence('30 2 * * *', 'America/New_York').next(at('2026-03-08T00:00:00-05:00'));
  assert.equal(formatZoned('America/New_York', ours!), '2026-03-08T03:00:00-04:00');
});

test('in UTC, next() agrees with croner for assorted expressions at 2,000 instants each', () => {
  const expressions = [
    '*/7 * * * * *',
    '5-40/5 10,20 3-5 * * *',
    '0 0 * * *',
    '15 */6 * * 1-5',
    '0 0 L * *',
    '30 4 1,15 * 5',
    '0 12 * 2 MON#2',
    '59 23 31 12 *',
    '@hourly',
  ];
  for (const expr of expressions) {
    const croner = new Cron(expr, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
    const seq = createCronSequence(expr, 'UTC');
    for (let i = 0; i < 2000; i++) {
      // Spread over 2024-2027, with sub-second parts.
      const t = at('2024-01-01T00:00:00Z') + Math.floor(seededUnit(expr, i) * 4 * 365 * 86_400_000);
      assert.equal(
        seq.next(t),
        croner.nextRun(new Date(t))?.getTime(),
        `${expr} after ${new Date(t).toISOString()}`,
      );
    }
  }
});
