import type { StorePart } from '../../store/store-part.js';
import type { ArchiveStore } from './archive-store.js';
import { POSTGRES_ARCHIVE_MIGRATIONS, SQLITE_ARCHIVE_MIGRATIONS } from './archive-store-migrations.js';
import { createPostgresArchiveStore } from './postgres/postgres-archive-store.js';
import { createSqliteArchiveStore } from './sqlite/sqlite-archive-store.js';

/** The archive module's part of the store: `store.part(archiveStorePart)` gives its {@link ArchiveStore}. */
export const archiveStorePart: StorePart<ArchiveStore> = {
  name: 'archive',
  migrations: { sqlite: SQLITE_ARCHIVE_MIGRATIONS, postgres: POSTGRES_ARCHIVE_MIGRATIONS },
  sqlite: createSqliteArchiveStore,
  postgres: createPostgresArchiveStore,
};
