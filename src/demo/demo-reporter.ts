import type { Engine } from '../engine/engine.js';

type Write = (line: string) => void;

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const color = (code: number, text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** What the stream pipelines did since the last status line. */
interface StreamTally {
  messages: number;
  batches: number;
  timedOut: number;
  missing: number;
  lowest: number | null;
}

const emptyTally = (): StreamTally => ({ messages: 0, batches: 0, timedOut: 0, missing: 0, lowest: null });

/** The status line's stream part: messages, batches and availability since the previous line. */
function streamLine(t: StreamTally, everyMs: number): string {
  const lowest = t.lowest === null ? '' : `, lowest availability ${(t.lowest * 100).toFixed(1)}%`;
  return `telemetry: ${t.messages} messages, ${t.batches} batches in ${everyMs / 1000} s (${t.timedOut} timed out, ${t.missing} station reports missing${lowest})`;
}

/**
 * Prints the demo's story to the terminal: gaps opening (yellow) and closing
 * (green), sources failing over, and a status line every `everyMs` (with the
 * stream pipelines' messages and batches, when the demo runs one).
 * Returns a function that stops it.
 */
export function attachDemoReporter(engine: Engine, write: Write, everyMs = 10_000): () => void {
  const at = () => time(engine.clock.now());
  let tally = emptyTally();
  let streaming = false;
  const offs = [
    engine.events.on('stream:committed', (e) => {
      streaming = true;
      tally.messages += e.messages;
    }),
    engine.events.on('stream:batch', (e) => {
      tally.batches++;
      if (e.status === 'timed-out') tally.timedOut++;
      tally.missing += e.missingKeys;
      tally.lowest = Math.min(tally.lowest ?? 1, e.availabilityRatio);
    }),
    engine.events.on('gap:opened', (e) => {
      const range = e.from === e.to ? String(e.from) : `${e.from} .. ${e.to}`;
      write(`${at()}  ${e.dataset.padEnd(6)} ${color(33, 'gap opened')}  ${range} (${e.count} missing)`);
    }),
    engine.events.on('backfill:filled', (e) => {
      write(
        `${at()}  ${e.dataset.padEnd(6)} ${color(32, 'gap closed')}  ${e.partition} backfilled from ${e.source} in ${e.ms} ms`,
      );
    }),
    engine.events.on('backfill:not-found', (e) => {
      write(
        `${at()}  ${e.dataset.padEnd(6)} ${color(36, 'known missing')} ${e.partition}: the source confirms it does not exist`,
      );
    }),
    engine.events.on('backfill:retry', (e) => {
      write(
        `${at()}  ${e.dataset.padEnd(6)} ${color(90, 'retrying')}    ${e.partition} (attempt ${e.attempt}: ${e.error})`,
      );
    }),
    engine.events.on('source:state', (e) => {
      const what =
        e.state === 'open'
          ? color(31, `source ${e.source} failing, skipped for now`)
          : color(32, `source ${e.source} ${e.state === 'closed' ? 'recovered' : 'on trial'}`);
      write(`${at()}  ${e.dataset.padEnd(6)} ${what}${e.error ? ` (${e.error})` : ''}`);
    }),
    engine.events.on('collect:failed', (e) => {
      write(`${at()}  ${e.dataset.padEnd(6)} ${color(90, `collect failed: ${e.error}`)}`);
    }),
  ];
  const timer = setInterval(() => {
    engine
      .status()
      .then((report) => {
        const parts = report.datasets.map(
          (d) =>
            `${d.name}: ${d.records} records, ${d.coveragePercent.toFixed(1)}% complete, ${d.openGaps} open gap(s)`,
        );
        write(`${at()}  ${color(1, 'status')}  ${parts.join(' | ')}`);
        if (streaming) write(`${at()}  ${color(1, 'status')}  ${streamLine(tally, everyMs)}`);
        tally = emptyTally();
      })
      .catch(() => {});
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const off of offs) off();
  };
}
