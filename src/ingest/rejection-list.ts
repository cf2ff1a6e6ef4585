import type { Rejection } from '../sources/source.js';

/**
 * Collects rejections, keeping the first `max` and counting the rest, so a
 * batch of millions of bad records costs a counter, not millions of objects.
 */
export class RejectionList {
  readonly items: Rejection[] = [];
  count = 0;

  constructor(readonly max: number) {}

  push(rejection: Rejection): void {
    if (this.count++ < this.max) this.items.push(rejection);
  }
}

/** Rejections an ingest result (and a push answer) lists one by one; the rest are counted. */
export const MAX_LISTED_REJECTIONS = 100;
