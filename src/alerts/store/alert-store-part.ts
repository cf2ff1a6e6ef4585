import type { StorePart } from '../../store/store-part.js';
import type { AlertStore } from './alert-store.js';
import { POSTGRES_ALERT_MIGRATIONS, SQLITE_ALERT_MIGRATIONS } from './alert-store-migrations.js';
import { createPostgresAlertStore } from './postgres/postgres-alert-store.js';
import { createSqliteAlertStore } from './sqlite/sqlite-alert-store.js';

/** The alerts module's part of the store: `store.part(alertStorePart)` gives its {@link AlertStore}. */
export const alertStorePart: StorePart<AlertStore> = {
  name: 'alerts',
  migrations: { sqlite: SQLITE_ALERT_MIGRATIONS, postgres: POSTGRES_ALERT_MIGRATIONS },
  sqlite: createSqliteAlertStore,
  postgres: createPostgresAlertStore,
};
