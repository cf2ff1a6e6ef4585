/**
 * A short, human description of an arbitrary value for "expected X, found Y"
 * messages. Strings are quoted (so `"42"` and `42` read differently) and long
 * ones truncated, because the value comes from untrusted records.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
      return String(value);
    case 'boolean':
      return `${value} (a boolean)`;
    case 'bigint':
      return `${value}n (a bigint)`;
    case 'undefined':
      return 'no value (undefined)';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
      return 'an object';
  }
}
