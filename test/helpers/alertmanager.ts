import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir, waitFor } from './temp-dir.js';

/** Debian's Alertmanager (`apt-get install prometheus-alertmanager`; `.ci/run` installs it). */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export function hasAlertmanager(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

/** A real Alertmanager on 127.0.0.1, with its own config and storage in a temp folder. */
export interface RunningAlertmanager {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What it wrote to stdout and stderr, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts Alertmanager with `config` (YAML) on a free port, clustering off,
 * and waits until it answers `/-/ready`.
 */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  const { dir, cleanup } = tempDir('gapwarden-am-');
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, config);
  let output = '';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${file}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Clustering would listen on 0.0.0.0:9094: one test's instance would collide with another's.
        '--cluster.listen-address=',
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error(`alertmanager exited:\n${output}`);
          return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
        },
        'alertmanager to be ready',
        20_000,
      );
    } catch (err) {
      child.kill('SIGKILL');
      // The free port may have been taken in between: try another.
      if (attempt < 2 && /address already in use/.test(output)) continue;
      cleanup();
      throw err;
    }
    return {
      url,
      output: () => output,
      stop: async () => {
        if (!exited) {
          const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await gone;
        }
        cleanup();
      },
    };
  }
}
