import { createPartitioning } from '../../src/domain/create-partitioning.js';
import type { Partitioning } from '../../src/domain/partitioning.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const ROUNDS = 5;
const CALLS = 1_000_000;

/**
 * The partition arithmetic on the per-record and per-gap paths, timed here
 * rather than bounded in unit tests (which check these results exactly).
 */
export async function runPartitioningBench(): Promise<SuiteResult> {
  const sequence = createPartitioning({ sequence: { start: 1, step: 2 } });
  const toOrdinal: number[] = [];
  const weekdays: number[] = [];
  const cron: number[] = [];
  const berlin = createPartitioning({
    calendar: { every: '5m', timezone: 'Europe/Berlin', exclude: { weekdays: [0, 6] } },
  });
  const newYork = createPartitioning({ calendar: { cron: '*/5 * * * *', timezone: 'America/New_York' } });
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      sink += sequence.toOrdinal(1 + 2 * i) as number;
      sink += sequence.toOrdinal('1001') as number;
    }
    toOrdinal.push(((performance.now() - t0) * 1e6) / (2 * CALLS));

    t0 = performance.now();
    const slots = yearOf(berlin, '2026-01-01', '2027-01-01').size;
    weekdays.push(performance.now() - t0);

    t0 = performance.now();
    const from = Date.parse('2026-01-01T05:00:00Z') / 60_000;
    const occurrences = newYork.expected(from, Date.parse('2027-01-01T04:59:00Z') / 60_000).size;
    cron.push(performance.now() - t0);
    if (slots !== 75_168 || occurrences !== 105_108) throw new Error(`counted ${slots} and ${occurrences}`);
  }
  if (sink === 0) throw new Error('nothing computed');
  const figures: Figure[] = [
    {
      name: 'sequence toOrdinal, a number or integer text (the per-record path)',
      value: median(toOrdinal),
      unit: 'ns/call',
      target: '< 500 ns',
      met: median(toOrdinal) < 500,
    },
    {
      name: 'calendar expected() over a year of 5-minute slots on weekdays, Europe/Berlin (75,168 slots)',
      value: median(weekdays),
      unit: 'ms',
      target: '< 1000 ms',
      met: median(weekdays) < 1000,
    },
    {
      name: "cron calendar '*/5 * * * *' expected() over a year, America/New_York (105,108 occurrences)",
      value: median(cron),
      unit: 'ms',
      target: '< 3000 ms',
      met: median(cron) < 3000,
    },
  ];
  return suite('partitioning', figures, [
    `medians of ${ROUNDS} rounds; toOrdinal over ${CALLS.toLocaleString('en-US')} numbers and as many texts`,
    `rounds, toOrdinal ns: ${toOrdinal.map((v) => v.toFixed(1)).join(', ')}; weekdays ms: ${weekdays.map((v) => v.toFixed(1)).join(', ')}; cron ms: ${cron.map((v) => v.toFixed(1)).join(', ')}`,
  ]);
}

function yearOf(p: Partitioning, from: string, to: string) {
  return p.expected(p.toOrdinal(from) as number, (p.toOrdinal(to) as number) - 1);
}
