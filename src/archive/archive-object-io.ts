import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { RangeSet } from '../domain/range-set.js';
import { GapwardenError, hasCode } from '../internal/errors.js';
import { type ArchiveLine, formatLine, parseLine } from './archive-format.js';
import type { ObjectStore } from './object-store/object-store.js';
import type { ArchiveRecord, UploadedObject } from './store/archive-store.js';

/** A pass-through that hashes and counts the bytes going by. */
function digestTap() {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/**
 * Writes records (pages in (ordinal, key) order) as one gzip JSON Lines
 * object, hashing the compressed bytes on their way to the store: the sha256
 * and size recorded are those of exactly what was sent. The same records give
 * the same bytes (gzip without a timestamp), so writing a part again after a
 * crash yields the same object.
 */
export async function writeArchiveObject(
  objects: ObjectStore,
  key: string,
  pages: AsyncIterable<readonly ArchiveRecord[]>,
  partitionOf: (ordinal: number) => string | number,
): Promise<UploadedObject> {
  let records = 0;
  let rawBytes = 0;
  const ordinals = new RangeSet();
  async function* lines() {
    for await (const page of pages) {
      let text = '';
      for (const r of page) {
        text += formatLine(r, partitionOf(r.ordinal));
        ordinals.add(r.ordinal);
      }
      records += page.length;
      const buf = Buffer.from(text);
      rawBytes += buf.length;
      if (buf.length > 0) yield buf;
    }
  }
  const tap = digestTap();
  let failure: unknown;
  const body = pipeline(Readable.from(lines()), createGzip({ level: 6 }), tap.stream, (err) => {
    if (err) failure = err;
  });
  const info = await objects.put(key, body, { contentType: 'application/gzip' });
  if (failure) throw failure;
  const { bytes, sha256 } = tap.result();
  if (info.bytes !== bytes) {
    throw new GapwardenError(
      'STORE_FAILED',
      `object ${key} holds ${info.bytes} bytes after writing ${bytes}: the object store did not keep it whole`,
      { retryable: true },
    );
  }
  return { records, bytes, rawBytes, sha256, ordinals: ordinals.ranges().map(([a, b]) => [a, b]) };
}

/** What reading an object back found. */
export interface ObjectReading {
  records: number;
  bytes: number;
  sha256: string;
}

/**
 * Reads an object back: hashes its bytes, decompresses it and parses every
 * line, handing lines to `onBatch` in batches. A truncated or damaged gzip
 * stream, or a line that is not an archived record, throws CHECK_FAILED; a
 * missing object NOT_FOUND.
 */
export async function readArchiveObject(
  objects: ObjectStore,
  key: string,
  onBatch?: (lines: ArchiveLine[]) => Promise<void> | void,
  batchSize = 5000,
): Promise<ObjectReading> {
  const raw = await objects.get(key);
  const tap = digestTap();
  const text = pipeline(raw, tap.stream, createGunzip(), () => {});
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let records = 0;
  let batch: ArchiveLine[] = [];
  const where = `object ${key}`;
  try {
    for await (const chunk of text) {
      const s = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
        records++;
        const line = s.slice(start, nl);
        start = nl + 1;
        if (onBatch) {
          batch.push(parseLine(line, records, where));
          if (batch.length >= batchSize) {
            await onBatch(batch);
            batch = [];
          }
        } else if (line.length === 0 || line.charCodeAt(0) !== 123) {
          parseLine(line, records, where);
        }
      }
      rest = s.slice(start);
    }
  } catch (err) {
    if (hasCode(err, 'CHECK_FAILED', 'STORE_FAILED', 'STORE_UNAVAILABLE', 'NOT_FOUND')) throw err;
    throw new GapwardenError('CHECK_FAILED', `${where} could not be read whole: ${(err as Error).message}`, {
      cause: err,
    });
  }
  rest += decoder.end();
  if (rest.length > 0) {
    throw new GapwardenError(
      'CHECK_FAILED',
      `${where} ends inside a line (line ${records + 1} has no newline)`,
    );
  }
  if (onBatch && batch.length > 0) await onBatch(batch);
  return { records, ...tap.result() };
}
