import type { SqliteDatabase } from './sqlite-connection.js';

/** The newest partition each dataset's sources delivered (`datasets.source_newest`). */
export interface SqliteSourceNewest {
  /** Keeps the larger of the stored value and `ordinal`. */
  note(datasetId: number, ordinal: number): void;
  load(datasetId: number): number | null;
}

export function createSqliteSourceNewest(db: SqliteDatabase): SqliteSourceNewest {
  const update = db.prepare(
    'UPDATE datasets SET source_newest = max(coalesce(source_newest, @o), @o) WHERE id = @id',
  );
  const select = db.prepare('SELECT source_newest FROM datasets WHERE id = ?').pluck();
  return {
    note(datasetId, ordinal) {
      update.run({ o: ordinal, id: datasetId });
    },
    load: (datasetId) => (select.get(datasetId) as number | null | undefined) ?? null,
  };
}
