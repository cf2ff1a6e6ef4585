import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GapwardenError } from '../../../internal/errors.js';
import { assertObjectKey, type ObjectInfo, type ObjectStore, objectNotFound } from '../object-store.js';

export interface FolderObjectStoreOptions {
  /** Absolute path of the folder; created when missing. */
  path: string;
}

const TEMP_MARK = '.partial-';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * Objects as files under a folder: the key is the relative path. A put writes
 * a temporary file beside the target, syncs it and renames it into place, so a
 * crash leaves the old object or the new one whole, never half of one
 * (temporaries are skipped by `list`).
 */
export function createFolderObjectStore(options: FolderObjectStoreOptions): ObjectStore {
  const root = options.path;
  const description = `folder ${root}`;
  const pathOf = (key: string) => {
    assertObjectKey(key);
    return join(root, ...key.split('/'));
  };
  const failed = (what: string, key: string, err: unknown) =>
    new GapwardenError(
      'STORE_FAILED',
      `${what} ${JSON.stringify(key)} in ${description} failed: ${String(err)}`,
      {
        cause: err,
        details: { key },
      },
    );

  async function* walk(dir: string): AsyncGenerator<ObjectInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full);
      else if (entry.isFile() && !entry.name.includes(TEMP_MARK)) {
        const info = await stat(full);
        yield { key: relative(root, full).split(sep).join('/'), bytes: info.size };
      }
    }
  }

  return {
    description,
    async put(key, body) {
      const target = pathOf(key);
      const temp = `${target}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
      try {
        await mkdir(dirname(target), { recursive: true });
        if (body instanceof Uint8Array) {
          const handle = await open(temp, 'w');
          try {
            await handle.writeFile(body);
            await handle.sync();
          } finally {
            await handle.close();
          }
        } else {
          await pipeline(body, createWriteStream(temp));
          const handle = await open(temp, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
        await rename(temp, target);
        // The rename is durable once the directory entry is.
        const dirHandle = await open(dirname(target), 'r');
        try {
          await dirHandle.sync();
        } finally {
          await dirHandle.close();
        }
        return { key, bytes: (await stat(target)).size };
      } catch (err) {
        await rm(temp, { force: true });
        throw failed('writing object', key, err);
      }
    },
    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (err) {
        if (isMissing(err)) throw objectNotFound(description, key);
        throw failed('reading object', key, err);
      }
      return createReadStream(path) as Readable;
    },
    async head(key) {
      try {
        return { key, bytes: (await stat(pathOf(key))).size };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw failed('reading object', key, err);
      }
    },
    async delete(key) {
      try {
        await rm(pathOf(key), { force: true });
      } catch (err) {
        throw failed('deleting object', key, err);
      }
    },
    async *list(prefix) {
      // Walk only the deepest folder the prefix names whole, then filter by the prefix.
      const cut = prefix.lastIndexOf('/');
      const base = cut < 0 ? root : join(root, ...prefix.slice(0, cut).split('/'));
      for await (const info of walk(base)) if (info.key.startsWith(prefix)) yield info;
    },
    async close() {},
  };
}
