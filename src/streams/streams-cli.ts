import type { Command } from 'commander';
import type { CliConfigFlags, CliKit } from '../core/module.js';
import { formatPipelines } from './stream-format.js';
import type { Streams } from './streams-runtime.js';

/**
 * `gapwarden streams [--json]`: every pipeline with its topics (acknowledged,
 * dead letters, lag), throughput and availability, from the store any
 * `serve` shares. `gapwarden streams run` runs the pipelines in the
 * foreground until SIGTERM/SIGINT, then commits what is done and exits.
 */
export function registerStreamsCli(program: Command, kit: CliKit<Streams>): void {
  const streams = program
    .command('streams')
    .description('stream pipelines: lag, throughput, availability; `streams run` consumes in the foreground');
  kit
    .withConfigOptions(
      streams
        .command('status', { isDefault: true })
        .description('pipelines, topics, lag, throughput, availability'),
    )
    .action((flags: CliConfigFlags) =>
      kit.runVerb(flags, async () => {
        const session = await kit.open(flags, { logLevel: 'warn', createStore: 'never' });
        try {
          const pipelines = await session.instance.summary();
          if (flags.json) kit.printJson({ pipelines });
          else process.stdout.write(`${formatPipelines(pipelines)}\n`);
          return 0;
        } finally {
          await session.close();
        }
      }),
    );
  kit
    .withConfigOptions(
      streams.command('run').description('run every pipeline in this process until SIGTERM or SIGINT'),
    )
    .action((flags: CliConfigFlags) =>
      kit.runVerb(flags, async () => {
        const session = await kit.open(flags);
        try {
          await session.start();
          await session.instance.run();
          await new Promise<void>((resolve) => {
            process.once('SIGTERM', resolve);
            process.once('SIGINT', resolve);
          });
          return 0;
        } finally {
          await session.close();
        }
      }),
    );
}
