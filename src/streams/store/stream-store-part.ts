import type { StorePart } from '../../store/store-part.js';
import { createPostgresStreamStore } from './postgres/postgres-stream-store.js';
import { createSqliteStreamStore } from './sqlite/sqlite-stream-store.js';
import type { StreamStore } from './stream-store.js';
import { POSTGRES_STREAM_MIGRATIONS, SQLITE_STREAM_MIGRATIONS } from './stream-store-migrations.js';

/** The streams module's part of the store: `store.part(streamStorePart)` gives its {@link StreamStore}. */
export const streamStorePart: StorePart<StreamStore> = {
  name: 'streams',
  migrations: { sqlite: SQLITE_STREAM_MIGRATIONS, postgres: POSTGRES_STREAM_MIGRATIONS },
  sqlite: createSqliteStreamStore,
  postgres: createPostgresStreamStore,
};
