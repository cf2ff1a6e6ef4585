import assert from 'node:assert/strict';

/**
 * What a bounded `gapwarden demo --for ... --json` run must end with, on any
 * store: ok, no open gap in either dataset, the daily history backfilled
 * (14 days before today), payloads equal to the upstream's.
 */
export function assertDemoComplete(stdout: string, minDraws: number): void {
  const out = JSON.parse(stdout);
  assert.equal(out.ok, true);
  const draws = out.status.datasets.find((d: { name: string }) => d.name === 'draws');
  const daily = out.status.datasets.find((d: { name: string }) => d.name === 'daily');
  assert.ok(draws.records >= minDraws, `draws: ${draws.records} records`);
  assert.equal(draws.openGaps, 0);
  assert.equal(draws.coveragePercent, 100);
  assert.equal(daily.records, 15);
  assert.equal(daily.openGaps, 0);
  for (const p of out.payloads) assert.deepEqual(p.mismatched, [], `${p.dataset} payloads differ`);
  assert.ok(out.upstream.history > 0, 'the demo should have backfilled through the history endpoint');
}
