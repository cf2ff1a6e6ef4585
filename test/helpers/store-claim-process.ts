import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { GoMessage, WorkerMessage } from './store-claim-worker.js';

const WORKER = join(import.meta.dirname, 'store-claim-worker.ts');

/** A child process holding its own connection to a store database (see store-claim-worker.ts). */
export interface ClaimProcess {
  /** Resolves once the child has opened and migrated the database. */
  ready: Promise<void>;
  /** Tells the child to claim until the queue is empty; resolves with what it claimed. */
  claimAll(go: Omit<GoMessage, 'type'>): Promise<[dataset: string, ordinal: number][]>;
  kill(): void;
}

export function startClaimProcess(adapterName: string, locator: string): ClaimProcess {
  const child: ChildProcess = fork(WORKER, [adapterName, locator], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: WorkerMessage[] = [];
  const waiters: (() => void)[] = [];
  let exitCode: number | null | undefined;
  child.on('message', (m) => {
    messages.push(m as WorkerMessage);
    for (const w of waiters.splice(0)) w();
  });
  child.on('exit', (code) => {
    exitCode = code;
    for (const w of waiters.splice(0)) w();
  });
  const next = async (type: WorkerMessage['type']): Promise<WorkerMessage> => {
    for (;;) {
      const i = messages.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = messages.splice(i, 1)[0]!;
        if (m.type === 'error') throw new Error(`claim worker failed: ${m.message}`);
        return m;
      }
      if (exitCode !== undefined) throw new Error(`claim worker exited (${exitCode}) before sending ${type}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    ready: next('ready').then(() => undefined),
    async claimAll(go) {
      child.send({ type: 'go', ...go } satisfies GoMessage);
      const m = await next('claimed');
      return m.type === 'claimed' ? m.items : [];
    },
    kill: () => child.kill('SIGKILL'),
  };
}
