import type { StorePart } from '../../store/store-part.js';
import type { CheckStore } from './check-store.js';
import { POSTGRES_CHECK_MIGRATIONS, SQLITE_CHECK_MIGRATIONS } from './check-store-migrations.js';
import { createPostgresCheckStore } from './postgres/postgres-check-store.js';
import { createSqliteCheckStore } from './sqlite/sqlite-check-store.js';

/** The checks module's part of the store: `store.part(checkStorePart)` gives its {@link CheckStore}. */
export const checkStorePart: StorePart<CheckStore> = {
  name: 'checks',
  migrations: { sqlite: SQLITE_CHECK_MIGRATIONS, postgres: POSTGRES_CHECK_MIGRATIONS },
  sqlite: createSqliteCheckStore,
  postgres: createPostgresCheckStore,
};
