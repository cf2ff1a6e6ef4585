import type { StorePart } from '../../store/store-part.js';
import { createPostgresRollupStore } from './postgres/postgres-rollup-store.js';
import type { RollupStore } from './rollup-store.js';
import { POSTGRES_ROLLUP_MIGRATIONS, SQLITE_ROLLUP_MIGRATIONS } from './rollup-store-migrations.js';
import { createSqliteRollupStore } from './sqlite/sqlite-rollup-store.js';

/** The rollups module's part of the store: `store.part(rollupStorePart)` gives its {@link RollupStore}. */
export const rollupStorePart: StorePart<RollupStore> = {
  name: 'rollups',
  migrations: { sqlite: SQLITE_ROLLUP_MIGRATIONS, postgres: POSTGRES_ROLLUP_MIGRATIONS },
  sqlite: createSqliteRollupStore,
  postgres: createPostgresRollupStore,
};
