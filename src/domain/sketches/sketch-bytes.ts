import { GapwardenError } from '../../internal/errors.js';

/**
 * The header every serialised sketch starts with: two magic bytes naming the
 * sketch, then a format version. A reader refuses bytes of another sketch or
 * of a version it does not know, instead of misreading them.
 */
export const SKETCH_HEADER_BYTES = 3;

/** Writes the header into `bytes` at 0. */
export function writeSketchHeader(bytes: Uint8Array, magic: string, version: number): void {
  bytes[0] = magic.charCodeAt(0);
  bytes[1] = magic.charCodeAt(1);
  bytes[2] = version;
}

/** Checks the header and returns the version; throws a `STORE_FAILED` error naming what was found. */
export function readSketchHeader(
  bytes: Uint8Array,
  magic: string,
  what: string,
  versions: readonly number[],
): number {
  if (bytes.length < SKETCH_HEADER_BYTES) {
    throw sketchBytesError(
      what,
      `${bytes.length} bytes, shorter than the ${SKETCH_HEADER_BYTES}-byte header`,
    );
  }
  const found = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (found !== magic)
    throw sketchBytesError(what, `magic ${JSON.stringify(found)} instead of ${JSON.stringify(magic)}`);
  const version = bytes[2] ?? 0;
  if (!versions.includes(version)) {
    throw sketchBytesError(
      what,
      `format version ${version}; this gapwarden reads ${versions.join(', ')} (written by a newer version?)`,
    );
  }
  return version;
}

/** The error for bytes that are not a sketch this version can read. */
export function sketchBytesError(what: string, found: string): GapwardenError {
  return new GapwardenError('STORE_FAILED', `cannot read a serialised ${what}: ${found}`, {
    details: { sketch: what },
  });
}
