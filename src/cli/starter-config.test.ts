import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { compileConfig } from '../config/compile-config.js';
import { starterConfigTs, starterConfigYaml } from './starter-config.js';

const PLAN = [
  ['gap-large', 'P0'],
  ['collector-silent', 'P0'],
  ['collect-failing', 'P0'],
  ['gap-small', 'P1'],
  ['collect-late', 'P1'],
  ['backfill-exhausted', 'P2'],
  ['job-failed', 'P2'],
];

describe('starter config', () => {
  it('writes the draw-collector alert plan, and it compiles', () => {
    const config = compileConfig(parse(starterConfigYaml()), { env: {}, baseDir: '/tmp' });
    assert.deepEqual(
      config.alerts.rules.map((r) => [r.name, r.severity]),
      PLAN,
    );
    const gap = config.alerts.rules.find((r) => r.name === 'gap-small')!;
    assert.deepEqual(
      [gap.forMs, gap.condition],
      [300_000, { kind: 'gap', minPartitions: 1, maxPartitions: 10, minAgeMs: 0 }],
    );
    assert.deepEqual(
      config.alerts.routes.map((r) => [
        r.match.map((m) => `${m.name}${m.op}${m.value}`),
        r.escalate[0]?.afterMs,
      ]),
      [
        [['severity=P0'], 900_000],
        [['severity=~P1|P2'], 3_600_000],
      ],
    );
  });

  it('the TypeScript flavour carries the same plan, commented', () => {
    const ts = starterConfigTs();
    for (const [rule, severity] of PLAN)
      assert.match(ts, new RegExp(`'${rule}': \\{ severity: '${severity}'`));
    assert.match(ts, /\/\/ P0 at once: a gap of more than 10 periods/);
  });
});
