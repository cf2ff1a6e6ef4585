import { GapwardenError } from '../internal/errors.js';
import type { ArchiveRecord } from './store/archive-store.js';

/**
 * One archived record as a JSON Lines line. `payload` is the stored JSON text
 * kept as a string, not re-parsed: a restore puts back the very bytes stored
 * (a number written `1.50` or a key order stays as it was). `partition` is the
 * partition's value, for people reading an object by hand.
 */
export interface ArchiveLine {
  key: string;
  ordinal: number;
  partition: string | number;
  payload: string;
  source: string | null;
  ingestedAt: number;
  updatedAt: number;
  /** Insertion position in the store it came from (see `ArchiveRecord.position`). */
  position: number | null;
}

export function formatLine(record: ArchiveRecord, partition: string | number): string {
  const line: ArchiveLine = {
    key: record.key,
    ordinal: record.ordinal,
    partition,
    payload: record.payload,
    source: record.source,
    ingestedAt: record.ingestedAt,
    updatedAt: record.updatedAt,
    position: record.position,
  };
  return `${JSON.stringify(line)}\n`;
}

/** Parses one line; throws CHECK_FAILED saying which line and why (a damaged object). */
export function parseLine(text: string, lineNo: number, where: string): ArchiveLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GapwardenError(
      'CHECK_FAILED',
      `${where}: line ${lineNo} is not JSON (${(err as Error).message})`,
    );
  }
  const v = value as Partial<ArchiveLine>;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.key !== 'string' ||
    typeof v.ordinal !== 'number' ||
    typeof v.payload !== 'string' ||
    typeof v.updatedAt !== 'number' ||
    typeof v.ingestedAt !== 'number'
  ) {
    throw new GapwardenError('CHECK_FAILED', `${where}: line ${lineNo} is not an archived record`);
  }
  return { ...(v as ArchiveLine), position: typeof v.position === 'number' ? v.position : null };
}
