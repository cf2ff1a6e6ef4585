import type { Command } from 'commander';
import type { CliKit, GapwardenModule } from '../core/module.js';
import { openEngine, printJson, runVerb } from './cli-context.js';

/** What a module's CLI verbs are built with: engines opened from the config flags, output like every verb's. */
export function createCliKit<T>(def: GapwardenModule<T>): CliKit<T> {
  return {
    withConfigOptions: (command: Command) =>
      command
        .option('-c, --config <file>', 'config file')
        .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
        .option('--json', 'machine-readable output'),
    async open(flags, options = {}) {
      const { engine } = await openEngine(flags, options.logLevel, {
        ...(options.createStore ? { createStore: options.createStore } : {}),
      });
      await engine.open();
      return {
        ctx: engine.moduleContext,
        instance: engine.module(def),
        // A verb does its one piece of work: no scheduled jobs in this process.
        start: (startOptions = {}) => engine.start({ ...startOptions, collect: false }),
        close: () => engine.stop(),
      };
    },
    printJson,
    runVerb,
  };
}
