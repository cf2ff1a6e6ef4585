import type { Command } from 'commander';
import { GapwardenError } from '../../internal/errors.js';
import { type HttpServer, startHttpServer } from '../../server/http-server.js';
import { describeStore } from '../../store/create-store.js';
import { type ConfigFlags, openEngine, runVerb } from '../cli-context.js';
import { mountDashboard, PACKAGE_VERSION } from '../server-options.js';

interface ServeFlags extends ConfigFlags {
  port?: string;
  http?: boolean;
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
    .action((flags: ServeFlags) =>
      runVerb(flags, async () => {
        const port = parsePort(flags.port);
        const { engine, config } = await openEngine(flags);
        await engine.start({ collect: true, backfill: true });
        let http: HttpServer | undefined;
        if (flags.http !== false && config.server.enabled) {
          http = await startHttpServer({
            engine,
            server: config.server,
            version: PACKAGE_VERSION,
            dashboard: mountDashboard,
            ...(port === undefined ? {} : { port }),
          });
        }
        engine.logger.info({
          msg: 'serving',
          datasets: config.datasets.map((d) => d.name),
          store: describeStore(config.store),
          http: http?.url ?? null,
          pid: process.pid,
        });
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            engine.logger.info({ msg: 'stopping', signal });
            resolve();
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
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
