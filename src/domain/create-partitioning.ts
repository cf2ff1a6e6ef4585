import { type CalendarOptions, createCalendarPartitioning } from './calendar-partitioning.js';
import type { Partitioning } from './partitioning.js';
import { createSequencePartitioning, type SequenceOptions } from './sequence-partitioning.js';

/** How a dataset is partitioned, as written in its configuration. */
export type PartitioningDefinition = { sequence: SequenceOptions } | { calendar: CalendarOptions };

/**
 * The Partitioning for a dataset definition.
 *
 * @example
 * createPartitioning({ sequence: { start: 1 } });
 * createPartitioning({ calendar: { every: '1h', timezone: 'Asia/Kolkata' } });
 */
export function createPartitioning(def: PartitioningDefinition): Partitioning {
  const hasSequence = typeof def === 'object' && def !== null && 'sequence' in def;
  const hasCalendar = typeof def === 'object' && def !== null && 'calendar' in def;
  if (hasSequence === hasCalendar) {
    throw new Error(
      `partitioning needs exactly one of "sequence" (e.g. { sequence: { start: 1 } }) or "calendar" (e.g. { calendar: { every: '1d' } }), found ${hasSequence ? 'both' : 'neither'}`,
    );
  }
  return 'sequence' in def
    ? createSequencePartitioning(def.sequence)
    : createCalendarPartitioning(def.calendar);
}
