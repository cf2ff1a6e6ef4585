import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatHolderId, parseHolderId } from '../internal/holder-id.js';
import { createHolderCheck, probeProcess, readLocalProcess } from './process-probe.js';

const onLinux = process.platform === 'linux';

/** The pid of a process that has exited (and been reaped). */
function exitedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('probeProcess', { skip: !onLinux && 'reads /proc' }, () => {
  it('finds this process with its start time, and no process for a pid that has exited', () => {
    const self = probeProcess(process.pid);
    assert.equal(self.kind, 'present');
    assert.ok(self.kind === 'present' && self.startTicks > 0 && !self.zombie);
    assert.deepEqual(probeProcess(exitedPid()), { kind: 'absent' });
  });

  it('judges nothing gone where /proc is not there (a missing pid dir alone proves nothing)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-proc-'));
    try {
      assert.deepEqual(probeProcess(process.pid, join(empty, 'missing')), { kind: 'absent' });
      assert.equal(readLocalProcess(empty), undefined);
      const check = createHolderCheck({ procRoot: empty });
      assert.equal(parseHolderId(check.self), undefined, 'no provable identity without /proc');
      assert.equal(check.liveness(createHolderCheck().self), 'unknown');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('createHolderCheck', { skip: !onLinux && 'reads /proc' }, () => {
  it('writes a provable id and judges this process alive, an exited one gone, a reused pid gone', () => {
    const check = createHolderCheck();
    const me = parseHolderId(check.self);
    assert.ok(me, check.self);
    assert.equal(me.pid, process.pid);
    assert.equal(check.liveness(check.self), 'alive');
    const otherHolderHere = formatHolderId({ ...me, nonce: 'other1' });
    assert.equal(check.liveness(otherHolderHere), 'alive', 'another holder of this very process');
    assert.equal(check.liveness(formatHolderId({ ...me, pid: exitedPid() })), 'gone');
    assert.equal(check.liveness(formatHolderId({ ...me, startTicks: me.startTicks + 1 })), 'gone');
    assert.equal(check.liveness(formatHolderId({ ...me, host: `${me.host}-elsewhere` })), 'unknown');
  });
});
