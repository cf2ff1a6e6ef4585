import { MAX_LISTED_REJECTIONS } from '../ingest/rejection-list.js';
import { GapwardenError } from '../internal/errors.js';

/** Records read from a push-ingest body, with what could not even be parsed. */
export interface RecordsBody {
  records: unknown[];
  /** For each record, its 0-based NDJSON line; undefined for a JSON array (the index is the position). */
  positions: number[] | undefined;
  /** The first lines of an NDJSON body that are not JSON (at most `MAX_LISTED_REJECTIONS`). */
  unparsable: { index: number; reason: string }[];
  /** Every line that is not JSON, listed or not. */
  unparsableCount: number;
  format: 'json' | 'ndjson';
}

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];
/** What push ingest accepts. */
export const RECORDS_CONTENT_TYPES = ['application/json', ...NDJSON_TYPES];

/**
 * Parses a JSON array (or `{ "records": [...] }`) or NDJSON body. A JSON body
 * that does not parse is refused whole; a bad NDJSON line is reported and the
 * other lines go on. The content type was checked against `RECORDS_CONTENT_TYPES`.
 */
export function parseRecordsBody(text: string, contentType: string): RecordsBody {
  return NDJSON_TYPES.includes(contentType) ? parseNdjson(text) : parseJsonArray(text);
}

function parseJsonArray(text: string): RecordsBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `the body is not valid JSON (${(err as Error).message}); send an array of records, or use application/x-ndjson to keep the good lines of a partly bad batch`,
    );
  }
  const records =
    value !== null && typeof value === 'object' && !Array.isArray(value) && 'records' in value
      ? (value as { records: unknown }).records
      : value;
  if (!Array.isArray(records)) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      'expected a JSON array of records such as [{"key":"3001","partition":3001,"payload":{...}}]',
    );
  }
  return { records, positions: undefined, unparsable: [], unparsableCount: 0, format: 'json' };
}

function parseNdjson(text: string): RecordsBody {
  const records: unknown[] = [];
  const positions: number[] = [];
  const unparsable: RecordsBody['unparsable'] = [];
  let unparsableCount = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
      positions.push(i);
    } catch (err) {
      if (unparsableCount++ < MAX_LISTED_REJECTIONS)
        unparsable.push({ index: i, reason: `line ${i + 1}: not valid JSON (${(err as Error).message})` });
    }
  }
  return { records, positions, unparsable, unparsableCount, format: 'ndjson' };
}
