// What the module pages' browser suites share: a real `gapwarden serve` on any free port, and
// Debian's Chromium (never a downloaded browser).
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { exited, spawnCli } from './cli.js';
import { waitFor } from './temp-dir.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? undefined
  : 'chromium not installed: apt-get install chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}

export interface RunningServe {
  /** The HTTP API and dashboard, e.g. `http://127.0.0.1:41234`. */
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `gapwarden serve --config <file> --port 0` and waits for its `serving` log line. */
export async function startServe(config: string): Promise<RunningServe> {
  const serve = spawnCli(['serve', '--config', config, '--port', '0'], { GAPWARDEN_LOG_LEVEL: 'info' });
  let url = '';
  await waitFor(
    () => {
      if (serve.exitCode !== null) throw new Error(`serve exited early:\n${serve.output()}`);
      for (const line of serve.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; http?: string | null };
        if (entry.msg === 'serving' && entry.http) url = entry.http.replace(/\/$/, '');
      }
      return url !== '';
    },
    'serve to print its address',
    30_000,
  ).catch((err) => {
    serve.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    output: serve.output,
    stop: async () => {
      if (serve.exitCode !== null || serve.signalCode !== null) return;
      serve.kill('SIGTERM');
      const gone = await Promise.race([exited(serve), new Promise((r) => setTimeout(() => r(null), 5000))]);
      if (gone === null) serve.kill('SIGKILL');
      await exited(serve);
    },
  };
}
