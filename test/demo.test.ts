import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { assertDemoComplete } from './helpers/demo-outcome.js';
import { tempDir } from './helpers/temp-dir.js';

describe('gapwarden demo', () => {
  const tmp = tempDir('gapwarden-demo-');
  after(() => tmp.cleanup());
  /** Whether the run had its telemetry pipeline (a NATS server with JetStream was reachable). */
  let telemetry = false;

  it('ends a bounded run with every period present and payloads equal to the upstream', async () => {
    const res = await runCli(['demo', '--dir', tmp.dir, '--for', '16s', '--json'], { timeoutMs: 90_000 });
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    // A draw every 2 s for 16 s, collected from an upstream that skips ~10%: 6+ periods, none missing;
    // the daily dataset's 14 days of history are found as a gap at the first collect and backfilled.
    assertDemoComplete(res.stdout, 6);
    telemetry = JSON.parse(res.stdout).telemetry.enabled;
  });

  it('leaves a config and store that the other verbs can read', async () => {
    const status = await runCli(['status', '--dir', tmp.dir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.deepEqual(
      report.datasets.map((d: { name: string }) => d.name),
      ['draws', 'daily', 'gateway-events', ...(telemetry ? ['station-health'] : [])],
    );
    const gaps = await runCli(['gaps', 'draws', '--dir', tmp.dir]);
    assert.equal(gaps.code, 0, gaps.stderr);
    assert.match(gaps.stdout, /draws: no open gaps/);
  });
});
