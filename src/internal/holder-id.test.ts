import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatHolderId,
  type HolderIdentity,
  judgeHolder,
  type ProcessProbe,
  parseHolderId,
  parseProcStat,
} from './holder-id.js';

const BOOT = '0f6c4a1e-3b0d-4a55-9d5e-6a4b1f2c3d4e';
const ID: HolderIdentity = {
  host: 'worker-1',
  pid: 4242,
  startTicks: 123456,
  bootId: BOOT,
  pidNamespace: 4026531836,
  nonce: 'k3x9qa',
};
const HERE = { host: 'worker-1', bootId: BOOT, pidNamespace: 4026531836 };
const holder = formatHolderId(ID);
const probeSays =
  (answer: ProcessProbe) =>
  (pid: number): ProcessProbe => {
    assert.equal(pid, ID.pid);
    return answer;
  };
const neverProbed = (): ProcessProbe => assert.fail('a holder of another machine must not be probed');

describe('holder ids', () => {
  it('round-trips, keeping host:pid:nonce first as holders always showed', () => {
    assert.ok(holder.startsWith('worker-1:4242:k3x9qa:'));
    assert.deepEqual(parseHolderId(holder), ID);
    assert.deepEqual(parseHolderId(formatHolderId({ ...ID, host: 'fe80::1' })), { ...ID, host: 'fe80::1' });
  });

  it('does not parse an older host:pid:nonce holder or garbage', () => {
    for (const text of ['worker-1:4242:k3x9qa', '', 'a:b:c:d:e:f', `worker-1:x:k3x9qa:1:${BOOT}:1`]) {
      assert.equal(parseHolderId(text), undefined, text);
    }
  });
});

describe('parseProcStat', () => {
  it('reads starttime (field 22) and the state after the last parenthesis of the command name', () => {
    const rest = 'S 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 1000 10';
    assert.deepEqual(parseProcStat(`77 (node) ${rest}`), { startTicks: 987654, zombie: false });
    assert.deepEqual(parseProcStat(`77 (a) (b c) ${rest}`), { startTicks: 987654, zombie: false });
    assert.deepEqual(parseProcStat(`77 (node) Z${rest.slice(1)}`), { startTicks: 987654, zombie: true });
    assert.equal(parseProcStat('77 (node) S 1 2'), undefined);
    assert.equal(parseProcStat('garbage'), undefined);
  });
});

describe('judgeHolder', () => {
  it('is gone on this machine when the pid is free, reused by a later process, or a zombie', () => {
    assert.equal(judgeHolder(holder, HERE, probeSays({ kind: 'absent' })), 'gone');
    const reused = { kind: 'present', startTicks: ID.startTicks + 1, zombie: false } as const;
    assert.equal(judgeHolder(holder, HERE, probeSays(reused)), 'gone');
    const zombie = { kind: 'present', startTicks: ID.startTicks, zombie: true } as const;
    assert.equal(judgeHolder(holder, HERE, probeSays(zombie)), 'gone');
  });

  it('is alive when the same process (pid and start time) still runs', () => {
    const same = { kind: 'present', startTicks: ID.startTicks, zombie: false } as const;
    assert.equal(judgeHolder(holder, HERE, probeSays(same)), 'alive');
  });

  it('is unknown for another host, boot or pid namespace, an unreadable /proc or an older holder', () => {
    assert.equal(judgeHolder(holder, { ...HERE, host: 'worker-2' }, neverProbed), 'unknown');
    assert.equal(judgeHolder(holder, { ...HERE, bootId: BOOT.replace('0f', '1f') }, neverProbed), 'unknown');
    assert.equal(judgeHolder(holder, { ...HERE, pidNamespace: 1 }, neverProbed), 'unknown');
    assert.equal(judgeHolder(holder, undefined, neverProbed), 'unknown');
    assert.equal(judgeHolder(holder, HERE, probeSays({ kind: 'unreadable' })), 'unknown');
    assert.equal(judgeHolder('worker-1:4242:k3x9qa', HERE, neverProbed), 'unknown');
    assert.equal(judgeHolder(null, HERE, neverProbed), 'unknown');
  });
});
