import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, runVerb } from '../cli-context.js';
import { starterConfigTs, starterConfigYaml } from '../starter-config.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a commented starter config')
    .option('-d, --dir <dir>', 'folder to write it in', '.')
    .option('--yaml', 'write gapwarden.config.yaml instead of gapwarden.config.ts')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'machine-readable output')
    .action((flags: { dir: string; yaml?: boolean; force?: boolean; json?: boolean }) =>
      runVerb(flags, async () => {
        const dir = resolve(flags.dir);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, flags.yaml ? 'gapwarden.config.yaml' : 'gapwarden.config.ts');
        if (existsSync(file) && !flags.force) {
          process.stderr.write(`gapwarden: ${file} already exists; pass --force to overwrite it\n`);
          return 2;
        }
        writeFileSync(file, flags.yaml ? starterConfigYaml() : starterConfigTs());
        if (flags.json) printJson({ file });
        else
          process.stdout.write(
            `wrote ${file}\nnext: edit it, then run \`gapwarden serve --config ${file}\`\n`,
          );
        return 0;
      }),
    );
}
