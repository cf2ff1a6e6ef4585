import { type FillStrategy, MISSING } from './pipeline-types.js';

/** A real value next to a window, used as an interpolation or carry-forward anchor. */
export interface FillAnchor {
  /** Slot index relative to the window's first slot (negative: before it; ≥ length: after it). */
  index: number;
  value: unknown;
}

/**
 * Fills the holes of one field over a window's slots, in place. `values[i]` is `undefined` where slot `i`
 * has no real value (no message, or the message lacks the field); real values are left as they are.
 *
 * - `zero`: 0.
 * - `missing`: the {@link MISSING} marker (`null`).
 * - `forward`: the last real value before the hole, looking back past the window's start through `left`.
 *   At the start of a key (no earlier value at all) there is nothing to carry: the hole gets `null`.
 * - `linear`: `a + (b − a) · k / n` between the nearest real numbers on each side, `n` slots apart and
 *   the hole `k` slots after `a`; exact at the anchors. A hole with no real number on one side (the key's
 *   start, or the newest slots before anything later arrived) gets `null`: it is never extrapolated.
 *
 * @example
 * const v = [10, undefined, undefined, 40];
 * fillHoles(v, 'linear');   // v is now [10, 20, 30, 40]
 */
export function fillHoles(
  values: unknown[],
  strategy: FillStrategy,
  left?: FillAnchor,
  right?: FillAnchor,
): void {
  const n = values.length;
  switch (strategy) {
    case 'zero':
      for (let i = 0; i < n; i++) if (values[i] === undefined) values[i] = 0;
      return;
    case 'missing':
      for (let i = 0; i < n; i++) if (values[i] === undefined) values[i] = MISSING;
      return;
    case 'forward': {
      let last: unknown = left === undefined ? MISSING : left.value;
      for (let i = 0; i < n; i++) {
        if (values[i] === undefined) values[i] = last;
        else last = values[i];
      }
      return;
    }
    case 'linear':
      fillLinear(values, left, right);
      return;
  }
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function fillLinear(values: unknown[], left?: FillAnchor, right?: FillAnchor): void {
  const n = values.length;
  let prevIndex = left !== undefined && isNumber(left.value) ? left.index : Number.NaN;
  let prevValue = left !== undefined && isNumber(left.value) ? left.value : Number.NaN;
  let i = 0;
  while (i < n) {
    if (values[i] !== undefined) {
      const v = values[i];
      if (isNumber(v)) {
        prevIndex = i;
        prevValue = v;
      }
      i++;
      continue;
    }
    // A run of holes [i, j): find its right neighbour inside the window, else the anchor after it.
    let j = i;
    while (j < n && values[j] === undefined) j++;
    let nextIndex = Number.NaN;
    let nextValue = Number.NaN;
    if (j < n && isNumber(values[j])) {
      nextIndex = j;
      nextValue = values[j] as number;
    } else if (j === n && right !== undefined && isNumber(right.value)) {
      nextIndex = right.index;
      nextValue = right.value;
    }
    const canInterpolate = !Number.isNaN(prevIndex) && !Number.isNaN(nextIndex);
    const span = nextIndex - prevIndex;
    for (let k = i; k < j; k++) {
      values[k] = canInterpolate ? prevValue + ((nextValue - prevValue) * (k - prevIndex)) / span : MISSING;
    }
    i = j;
  }
}
