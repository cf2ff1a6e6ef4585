import { GapwardenError } from '../internal/errors.js';
import type { AlertWrite, StoredAlert } from './alert-model.js';

/**
 * Acknowledges a firing alert: it stops escalating and repeating (a notice
 * still owed is dropped: someone is on it), and its resolution is still
 * announced. Pure; NOT_FOUND-like problems are the caller's.
 */
export function acknowledgeAlert(
  a: StoredAlert,
  by: { actor: string; comment: string | null },
  nowMs: number,
): AlertWrite {
  if (a.state !== 'firing') {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `alert ${a.id} is ${a.state}: only a firing alert can be acknowledged`,
      { details: { id: a.id, state: a.state } },
    );
  }
  return {
    updates: [
      {
        id: a.id,
        version: a.version,
        set: {
          state: 'acknowledged',
          ackedAt: nowMs,
          ackedBy: by.actor,
          ackComment: by.comment,
          notifyAt: null,
        },
      },
    ],
    history: [
      {
        alertId: a.id,
        at: nowMs,
        change: 'acknowledged',
        state: 'acknowledged',
        severity: a.severity,
        tier: a.tier,
        detail: by.comment,
        actor: by.actor,
      },
    ],
    notifications: [],
  };
}
