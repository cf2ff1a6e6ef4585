/**
 * Lease holder ids that carry enough to prove their process is gone: host
 * name, pid, the process's start time (clock ticks since boot, field 22 of
 * `/proc/<pid>/stat`, which tells a reused pid apart), the kernel's boot id,
 * the pid namespace (two containers sharing a host name and kernel see
 * different pids) and a nonce (two holders in one process). Pure: the
 * `/proc` reads live in `host/process-probe.ts`.
 */

/** Who holds a lease, as written into the store. */
export interface HolderIdentity {
  host: string;
  pid: number;
  /** Clock ticks after boot the process started at (`/proc/<pid>/stat` field 22). */
  startTicks: number;
  /** `/proc/sys/kernel/random/boot_id`. */
  bootId: string;
  /** The inode of `/proc/self/ns/pid`. */
  pidNamespace: number;
  nonce: string;
}

/** The machine a holder is judged from: only holders of the same host, boot and pid namespace can be probed. */
export type LocalMachine = Pick<HolderIdentity, 'host' | 'bootId' | 'pidNamespace'>;

/** What `/proc/<pid>/stat` said about a pid. */
export type ProcessProbe =
  | { kind: 'absent' }
  | { kind: 'present'; startTicks: number; zombie: boolean }
  | { kind: 'unreadable' };

/**
 * `gone`: provably no longer running (same machine, and the pid is free, a
 * zombie, or another process's); `alive`: the very process still runs;
 * `unknown`: cannot tell (another host, an older holder format, an unreadable
 * `/proc`): such a lease is only taken over once it expires.
 */
export type HolderLiveness = 'gone' | 'alive' | 'unknown';

const BOOT_ID = /^[0-9a-f-]{36}$/;
const NONCE = /^[0-9a-z]+$/;
const UINT = /^[0-9]+$/;

/** `host:pid:nonce:startTicks:bootId:pidNamespace` (the first three are what holders always showed). */
export function formatHolderId(id: HolderIdentity): string {
  return `${id.host}:${id.pid}:${id.nonce}:${id.startTicks}:${id.bootId}:${id.pidNamespace}`;
}

/** The identity in a holder id, or undefined for any other text (e.g. an older `host:pid:nonce`). */
export function parseHolderId(holder: string): HolderIdentity | undefined {
  const parts = holder.split(':');
  if (parts.length < 6) return undefined;
  const [pidNamespace, bootId, startTicks, nonce, pid] = parts.slice(-5).reverse() as [
    string,
    string,
    string,
    string,
    string,
  ];
  const host = parts.slice(0, -5).join(':');
  if (!host || !UINT.test(pid) || !UINT.test(startTicks) || !UINT.test(pidNamespace)) return undefined;
  if (!BOOT_ID.test(bootId) || !NONCE.test(nonce)) return undefined;
  return {
    host,
    pid: Number(pid),
    nonce,
    startTicks: Number(startTicks),
    bootId,
    pidNamespace: Number(pidNamespace),
  };
}

/**
 * The start time and state in a `/proc/<pid>/stat` line. The command name
 * (field 2) is in parentheses and may hold spaces and parentheses itself, so
 * fields are counted after the last `)`: field 3 (state) is the first there,
 * field 22 (starttime) the twentieth.
 */
export function parseProcStat(text: string): { startTicks: number; zombie: boolean } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const start = fields[19];
  if (state === undefined || start === undefined || !UINT.test(start)) return undefined;
  return { startTicks: Number(start), zombie: state === 'Z' || state === 'X' || state === 'x' };
}

/**
 * Judges a holder from this machine: `probe(pid)` is asked only when the
 * holder ran on this very machine (host, boot and pid namespace), so a holder
 * elsewhere is never called gone.
 */
export function judgeHolder(
  holder: string | null | undefined,
  local: LocalMachine | undefined,
  probe: (pid: number) => ProcessProbe,
): HolderLiveness {
  const id = holder ? parseHolderId(holder) : undefined;
  if (!id || !local) return 'unknown';
  if (id.host !== local.host || id.bootId !== local.bootId || id.pidNamespace !== local.pidNamespace) {
    return 'unknown';
  }
  const found = probe(id.pid);
  if (found.kind === 'absent') return 'gone';
  if (found.kind === 'unreadable') return 'unknown';
  return found.startTicks !== id.startTicks || found.zombie ? 'gone' : 'alive';
}
