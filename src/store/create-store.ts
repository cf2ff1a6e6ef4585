import type { CompiledStore } from '../config/compiled-config.js';
import type { Clock } from '../internal/clock.js';
import type { Logger } from '../internal/logger.js';
import { describePostgresTarget } from './postgres/postgres-connection.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { SqliteCreatePolicy } from './sqlite/sqlite-store-file.js';
import type { Store } from './store.js';

/**
 * Opens the store a compiled configuration names: the one place that picks an
 * adapter. `create` says what to do when the SQLite file is absent
 * (default `first-run`: create it unless a store existed there before).
 */
export function createStoreFromConfig(
  store: CompiledStore,
  deps: { clock: Clock; logger: Logger; create?: SqliteCreatePolicy },
): Store {
  switch (store.kind) {
    case 'sqlite':
      return createSqliteStore({
        path: store.path,
        clock: deps.clock,
        durability: store.durability,
        create: deps.create ?? 'first-run',
        logger: deps.logger,
      });
    case 'postgres':
      return createPostgresStore({
        url: store.url,
        poolSize: store.poolSize,
        clock: deps.clock,
        logger: deps.logger.child({ store: 'postgres' }),
        ...(store.schema === undefined ? {} : { schema: store.schema }),
      });
  }
}

/** The store for logs and status output, without credentials: `sqlite:<path>` or `postgres://host:port/db`. */
export function describeStore(store: CompiledStore): string {
  return store.kind === 'sqlite'
    ? `sqlite:${store.path}`
    : `postgres://${describePostgresTarget(store.url)}${store.schema ? ` (schema ${store.schema})` : ''}`;
}
