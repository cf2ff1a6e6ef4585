import type { Command } from 'commander';
import { GapwardenError } from '../../internal/errors.js';
import { type HttpServer, startHttpServer } from '../../server/http-server.js';
import { createMetrics } from '../../server/metrics.js';
import { describeStore } from '../../store/create-store.js';
import { type ConfigFlags, openEngine, runVerb } from '../cli-context.js';
import { mountDashboard, PACKAGE_VERSION } from '../server-options.js';

interface ServeFlags extends ConfigFlags {
  port?: string;
  http?: boolean;
  createStore?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run collectors, continuity checks, backfill and the HTTP API/dashboard until SIGTERM or SIGINT',
    )
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('-p, --port <n>', 'port of the HTTP API and dashboard (overrides server.port; 0 = any free port)')
    .option('--no-http', 'do not serve the HTTP API, metrics and dashboard')
    .option(
      '--create-store',
      'create an empty SQLite store even though one existed at its path (it was deleted or moved); without it serve refuses',
    )
    .action((flags: ServeFlags) =>
      runVerb(flags, async () => {
        const port = parsePort(flags.port);
        const { engine, config } = await openEngine(flags, undefined, {
          createStore: flags.createStore ? 'always' : 'first-run',
        });
        const serveHttp = flags.http !== false && config.server.enabled;
        // Before start: the counters then include what starting does (runs missed while down, catch-up runs).
        const metrics = serveHttp ? createMetrics({ engine }) : undefined;
        await engine.start({ collect: true, backfill: true });
        let http: HttpServer | undefined;
        if (metrics) {
          http = await startHttpServer({
            engine,
            server: config.server,
            version: PACKAGE_VERSION,
            dashboard: mountDashboard,
            metrics,
            ...(port === undefined ? {} : { port }),
          });
        }
        // Signal handlers before 'serving' is announced: a SIGTERM sent by whoever waits for that
        // line must reach the handler, never the default action (exit without stopping the engine).
        const stopped = new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            engine.logger.info({ msg: 'stopping', signal });
            resolve();
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
        engine.logger.info({
          msg: 'serving',
          datasets: config.datasets.map((d) => d.name),
          store: describeStore(config.store),
          http: http?.url ?? null,
          pid: process.pid,
        });
        await stopped;
        await http?.close();
        await engine.stop();
        engine.logger.info({ msg: 'stopped' });
        return 0;
      }),
    );
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new GapwardenError('CONFIG_INVALID', `--port expects a port number 0–65535, found "${text}"`);
  return port;
}
