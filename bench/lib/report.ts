import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** One benchmark figure; `baseline` and `ratio` when compared side by side in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export interface SuiteResult {
  suite: string;
  at: string;
  machine: { node: string; cpus: number; platform: string };
  notes: string[];
  figures: Figure[];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

/** Prints a suite's table and writes `bench/results/<suite>.json`. */
export function writeSuite(result: SuiteResult): void {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.suite}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n## ${result.suite}`);
  for (const f of result.figures) {
    const base = f.baseline
      ? `  vs ${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit} (ratio ${f.ratio?.toFixed(2)})`
      : '';
    const target = f.target ? `  target ${f.target}: ${f.met ? 'met' : 'MISSED'}` : '';
    console.log(`- ${f.name}: ${fmt(f.value)} ${f.unit}${base}${target}`);
  }
  for (const n of result.notes) console.log(`  note: ${n}`);
}

export function suite(name: string, figures: Figure[], notes: string[] = []): SuiteResult {
  return {
    suite: name,
    at: new Date().toISOString(),
    machine: {
      node: process.version,
      // `navigator` is a global from Node 21 on; on Node 20 it is undefined, which recorded 0 before.
      cpus: availableParallelism(),
      platform: process.platform,
    },
    notes,
    figures,
  };
}
