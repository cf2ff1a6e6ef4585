import type { Command } from 'commander';
import { type ConfigFlags, openEngine, runVerb } from '../cli-context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run collectors, continuity checks and backfill until SIGTERM or SIGINT')
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .action((flags: ConfigFlags) =>
      runVerb(flags, async () => {
        const { engine, config } = await openEngine(flags);
        await engine.start({ collect: true, backfill: true });
        engine.logger.info({
          msg: 'serving',
          datasets: config.datasets.map((d) => d.name),
          store: config.store.sqlite,
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
        await engine.stop();
        engine.logger.info({ msg: 'stopped' });
        return 0;
      }),
    );
}
