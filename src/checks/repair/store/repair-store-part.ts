import type { StorePart } from '../../../store/store-part.js';
import { createPostgresRepairStore } from './postgres/postgres-repair-store.js';
import type { RepairStore } from './repair-store.js';
import { POSTGRES_REPAIR_MIGRATIONS, SQLITE_REPAIR_MIGRATIONS } from './repair-store-migrations.js';
import { createSqliteRepairStore } from './sqlite/sqlite-repair-store.js';

/** The repair journal's part of the store: `store.part(repairStorePart)` gives its {@link RepairStore}. */
export const repairStorePart: StorePart<RepairStore> = {
  name: 'repairs',
  migrations: { sqlite: SQLITE_REPAIR_MIGRATIONS, postgres: POSTGRES_REPAIR_MIGRATIONS },
  sqlite: createSqliteRepairStore,
  postgres: createPostgresRepairStore,
};
