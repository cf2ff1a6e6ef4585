// The demo's alert story end to end: the upstream goes silent, a P0 reaches the demo's local
// webhook receiver, escalates to the lead while nobody acknowledges it, and resolves when the
// upstream answers again; `gapwarden alerts history --json` then reads it from the demo folder.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { assertDemoComplete } from './helpers/demo-outcome.js';
import { tempDir } from './helpers/temp-dir.js';

interface Received {
  to: string;
  kind: string;
  alerts: { id: number; rule: string; severity: string; state: string }[];
}

describe('demo: the draw-collector alert plan', () => {
  const tmp = tempDir('gapwarden-demo-alerts-');
  after(() => tmp.cleanup());

  it('upstream silent → P0 at the receiver, escalated, resolved when it is back; history on the folder', async () => {
    const res = await runCli(
      [
        'demo',
        '--dir',
        tmp.dir,
        '--for',
        '40s',
        '--silence-at',
        '6s',
        '--silence-for',
        '18s',
        '--api-port',
        '0',
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(res.code, 0, res.stderr);
    assertDemoComplete(res.stdout, 8);
    const received = JSON.parse(res.stdout).alerts.received as Received[];
    const fired = received.find(
      (r) => r.kind === 'firing' && r.to === 'oncall' && r.alerts[0]?.severity === 'P0',
    );
    assert.ok(fired, `a P0 reached the on-call receiver: ${JSON.stringify(received)}`);
    const id = fired.alerts[0]!.id;
    assert.match(fired.alerts[0]!.rule, /^(collect-failing|collector-silent)$/);
    assert.ok(
      received.some((r) => r.kind === 'escalated' && r.to === 'lead' && r.alerts.some((a) => a.id === id)),
      'unacknowledged, it reached the lead',
    );
    assert.ok(
      received.some(
        (r) => r.kind === 'resolved' && r.alerts.some((a) => a.id === id && a.state === 'resolved'),
      ),
      'resolved once the upstream answered again',
    );

    const history = await runCli(['alerts', 'history', '--dir', tmp.dir, '--alert', String(id), '--json']);
    assert.equal(history.code, 0, history.stderr);
    const changes = (JSON.parse(history.stdout).history as { change: string }[])
      .map((h) => h.change)
      .reverse();
    for (const change of ['fired', 'notified', 'escalated', 'resolved'])
      assert.ok(changes.includes(change), `${change} in ${changes.join(', ')}`);
    const all = await runCli(['alerts', 'list', '--state', 'all', '--dir', tmp.dir, '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.ok((JSON.parse(all.stdout).alerts as { id: number }[]).some((a) => a.id === id));
  });
});
