import type { PgClient } from './postgres-connection.js';

/** The newest partition each dataset's sources delivered (`datasets.source_newest`). */
export interface PostgresSourceNewest {
  /** Keeps the larger of the stored value and `ordinal`: one idempotent UPDATE, safe to retry. */
  note(c: PgClient, datasetId: number, ordinal: number): Promise<void>;
  load(c: PgClient, datasetId: number): Promise<number | null>;
}

export function createPostgresSourceNewest(): PostgresSourceNewest {
  return {
    async note(c, datasetId, ordinal) {
      // GREATEST ignores NULL: the first value noted is kept as is.
      await c.query('UPDATE datasets SET source_newest = GREATEST(source_newest, $1) WHERE id = $2', [
        ordinal,
        datasetId,
      ]);
    },
    async load(c, datasetId) {
      const { rows } = await c.query<[number | null]>({
        text: 'SELECT source_newest FROM datasets WHERE id = $1',
        values: [datasetId],
        rowMode: 'array',
      });
      return rows[0]?.[0] ?? null;
    },
  };
}
