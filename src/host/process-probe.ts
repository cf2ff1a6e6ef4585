import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  formatHolderId,
  type HolderLiveness,
  judgeHolder,
  type LocalMachine,
  type ProcessProbe,
  parseProcStat,
} from '../internal/holder-id.js';

/**
 * Looks a pid up in `/proc`: `absent` when there is no such process,
 * `unreadable` when `/proc` cannot tell (not Linux, no permission, a stat
 * line that does not parse).
 */
export function probeProcess(pid: number, procRoot = '/proc'): ProcessProbe {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ESRCH: the process exited between the open and the read.
    return code === 'ENOENT' || code === 'ESRCH' ? { kind: 'absent' } : { kind: 'unreadable' };
  }
  const stat = parseProcStat(text);
  return stat ? { kind: 'present', ...stat } : { kind: 'unreadable' };
}

/** This machine and process as `/proc` shows them; undefined where it cannot (then no holder is ever judged gone). */
export function readLocalProcess(
  procRoot = '/proc',
): (LocalMachine & { pid: number; startTicks: number }) | undefined {
  try {
    const bootId = readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim();
    const ns = /\[(\d+)\]/.exec(readlinkSync(`${procRoot}/self/ns/pid`))?.[1];
    const self = probeProcess(process.pid, procRoot);
    if (ns === undefined || self.kind !== 'present') return undefined;
    return {
      host: hostname(),
      bootId,
      pidNamespace: Number(ns),
      pid: process.pid,
      startTicks: self.startTicks,
    };
  } catch {
    return undefined;
  }
}

/** This process's lease holder id and a judge of other holders' ids. */
export interface HolderCheck {
  /** The id this process writes into the leases it takes. */
  readonly self: string;
  /** Whether a holder's process is provably gone (see `judgeHolder`). */
  liveness(holder: string | null | undefined): HolderLiveness;
}

/**
 * A holder id for this process (`host:pid:nonce` and, where `/proc` is
 * readable, the start time, boot id and pid namespace that prove it gone
 * later) and the judge of others. A `gone` verdict is kept: a pid's start
 * time never comes back.
 */
export function createHolderCheck(options: { procRoot?: string; random?: () => number } = {}): HolderCheck {
  const procRoot = options.procRoot ?? '/proc';
  const nonce = (options.random ?? Math.random)().toString(36).slice(2, 8) || '0';
  const local = readLocalProcess(procRoot);
  const self = local ? formatHolderId({ ...local, nonce }) : `${hostname()}:${process.pid}:${nonce}`;
  const gone = new Set<string>();
  return {
    self,
    liveness(holder) {
      if (!holder) return 'unknown';
      if (holder === self) return 'alive';
      if (gone.has(holder)) return 'gone';
      const verdict = judgeHolder(holder, local, (pid) => probeProcess(pid, procRoot));
      if (verdict === 'gone') gone.add(holder);
      return verdict;
    },
  };
}
