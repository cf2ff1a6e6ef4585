import { isDeepStrictEqual } from 'node:util';
import type { Engine } from '../engine/engine.js';
import type { DrawUpstream } from './draw-upstream.js';

export interface PayloadCheck {
  dataset: string;
  checked: number;
  mismatched: string[];
}

/** Compares every stored payload with what the upstream serves for its key. */
export async function verifyDemoPayloads(engine: Engine, upstream: DrawUpstream): Promise<PayloadCheck[]> {
  const out: PayloadCheck[] = [];
  for (const name of ['draws', 'daily'] as const) {
    const window = engine.dataset(name).coverage.window();
    const rows = window ? await engine.store.recordsBetween(name, window[0], window[1]) : [];
    const mismatched: string[] = [];
    for (const r of rows) {
      const expected = name === 'draws' ? upstream.drawPayload(Number(r.key)) : upstream.dailyPayload(r.key);
      if (!isDeepStrictEqual(JSON.parse(r.payload), expected)) mismatched.push(r.key);
    }
    out.push({ dataset: name, checked: rows.length, mismatched });
  }
  return out;
}
