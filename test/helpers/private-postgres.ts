import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own (initdb into a temp folder, started on a
 * free port), for tests that stop or restart the server: the shared server on
 * 5432 is used by other test files at the same time and must stay up.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: active connections are terminated, the server is back when it resolves. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server is down (connections refused) when it resolves. */
  stop(): Promise<void>;
  /** Starts the stopped server again; it answers when this resolves. */
  start(): Promise<void>;
  /** Stops the server (immediate) and deletes the folder. Safe to call twice. */
  destroy(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): string;
}

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl, if any. */
function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root, commands run as the `postgres` OS user. */
function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

const BIN = findPostgresBin();

/** Why tests needing a private cluster skip, or undefined when they can run. */
export const privatePostgresSkip: string | undefined = (() => {
  if (!BIN)
    return 'initdb/pg_ctl not found under /usr/lib/postgresql/*/bin: install the PostgreSQL server package';
  try {
    osUser();
  } catch {
    return 'running as root and there is no `postgres` OS user to run the private PostgreSQL cluster as';
  }
  return undefined;
})();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!BIN) throw new Error(privatePostgresSkip);
  const dir = mkdtempSync(join(tmpdir(), 'gapwarden-pg-'));
  const user = osUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const pg = (tool: string, args: string[]) => {
    const [cmd, argv] = user
      ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]]
      : [join(BIN, tool), args];
    return run(cmd, argv, { cwd: dir, timeout: 60_000 });
  };
  const serverOptions = ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', logFile];
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pg('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    await pg('pg_ctl', ['-D', data, ...serverOptions, '-w', 'start']);
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async () => {
      await pg('pg_ctl', ['-D', data, ...serverOptions, '-m', 'fast', '-w', 'restart']);
    },
    stop: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    start: async () => {
      await pg('pg_ctl', ['-D', data, ...serverOptions, '-w', 'start']);
    },
    destroy,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        return '(no server log)';
      }
    },
  };
}
