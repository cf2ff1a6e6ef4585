/** The first character of a string that a store cannot hold exactly, and where it is. */
export interface UnstorableCharacter {
  /** `U+0000 (NUL)` or `a lone surrogate U+D800`. */
  found: string;
  /** Position of that character, counted in characters (code points) from 0. */
  position: number;
}

// Only NUL and surrogate code units need a closer look; every other string is storable as is.
const SUSPECT = /[\u0000\ud800-\udfff]/;

/**
 * The first character of `text` that would not come back from a store as it
 * went in, or undefined when there is none. PostgreSQL refuses U+0000 in text
 * (the whole transaction fails); a lone surrogate is not well-formed UTF-16, so
 * both stores write it as U+FFFD and two distinct keys become one.
 */
export function findUnstorable(text: string): UnstorableCharacter | undefined {
  if (!SUSPECT.test(text)) return undefined;
  let position = 0;
  for (let i = 0; i < text.length; i++, position++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return { found: 'U+0000 (NUL)', position };
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair: one character
        continue;
      }
      return { found: `a lone surrogate ${hex(unit)}`, position };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { found: `a lone surrogate ${hex(unit)}`, position };
  }
  return undefined;
}

/** A one-line reason for refusing `text` as the `what` (e.g. `key`) of a record, or undefined when it is storable. */
export function unstorableReason(what: string, text: string): string | undefined {
  const bad = findUnstorable(text);
  if (!bad) return undefined;
  return `${what} ${JSON.stringify(text)} contains ${bad.found} at position ${bad.position} (counted in characters from 0), which a store cannot hold exactly; remove or replace it`;
}

const hex = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/** Whether a name stored with records (a source name) comes back from every store exactly. */
export const isStorableName = (text: string): boolean => findUnstorable(text) === undefined;

/** The message of a config issue for a name that fails {@link isStorableName}. */
export const STORABLE_NAME_MESSAGE =
  'a name without U+0000 or lone surrogates (it is stored with each record)';
