import type {
  SqliteDatabase,
  SqliteHandle,
  SqliteStatement,
} from '../../../store/sqlite/sqlite-connection.js';
import type { AlertHistoryDraft, AlertWrite, NotificationDraft } from '../../alert-model.js';
import {
  ALERT_COLUMNS,
  ATTEMPT_COLUMNS,
  HISTORY_COLUMNS,
  NOTIFICATION_COLUMNS,
  PATCH_COLUMNS,
  SILENCE_COLUMNS,
  toAlert,
  toAttempt,
  toHistory,
  toNotification,
  toSilence,
} from '../alert-rows.js';
import type { AlertStore, DeliveryRecord, NotificationState } from '../alert-store.js';

type Row = Record<string, unknown>;
const MAX_ID = Number.MAX_SAFE_INTEGER;

function prepare(db: SqliteDatabase) {
  return {
    open: db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE state <> 'resolved' ORDER BY id`),
    byId: db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`),
    openByFingerprint: db.prepare(`SELECT id FROM alerts WHERE fingerprint = ? AND state <> 'resolved'`),
    insertAlert: db.prepare(`
      INSERT INTO alerts (fingerprint, rule, kind, severity, base_severity, state, labels, summary, tried, value,
        instance, occurrences, starts_at, fired_at, last_seen_at, ends_at, tier, notify_at, last_notified_at,
        acked_at, acked_by, ack_comment, version, updated_at)
      VALUES (@fingerprint, @rule, @kind, @severity, @baseSeverity, @state, @labels, @summary, @tried, @value,
        @instance, @occurrences, @startsAt, @firedAt, @lastSeenAt, @endsAt, @tier, @notifyAt, @lastNotifiedAt,
        @ackedAt, @ackedBy, @ackComment, 1, @updatedAt)`),
    insertHistory: db.prepare(`
      INSERT INTO alert_history (alert_id, at, change, state, severity, tier, detail, actor)
      VALUES (@alertId, @at, @change, @state, @severity, @tier, @detail, @actor)`),
    insertNotification: db.prepare(`
      INSERT INTO alert_notifications (idempotency_key, receiver, kind, group_key, alert_ids, payload, state,
        attempts, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
      ON CONFLICT (idempotency_key) DO NOTHING`),
    linkAlert: db.prepare(
      'INSERT INTO alert_notification_alerts (alert_id, notification_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    history: db.prepare(`SELECT ${HISTORY_COLUMNS} FROM alert_history h JOIN alerts a ON a.id = h.alert_id
      WHERE (@alertId IS NULL OR h.alert_id = @alertId) AND h.at >= @since AND h.id < @beforeId
      ORDER BY h.id DESC LIMIT @limit`),
    insertSilence:
      db.prepare(`INSERT INTO alert_silences (matchers, starts_at, ends_at, author, comment, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    silenceById: db.prepare(`SELECT ${SILENCE_COLUMNS} FROM alert_silences WHERE id = ?`),
    silences: db.prepare(`SELECT ${SILENCE_COLUMNS} FROM alert_silences
      WHERE (@activeAt IS NULL OR (starts_at <= @activeAt AND ends_at > @activeAt
             AND (expired_at IS NULL OR expired_at > @activeAt)))
        AND (@includeEnded = 1 OR (ends_at > @now AND (expired_at IS NULL OR expired_at > @now)))
      ORDER BY id DESC LIMIT @limit`),
    expireSilence: db.prepare(
      'UPDATE alert_silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?',
    ),
    // Each arm walks its partial index in due order and stops at the limit: no sort of every waiting row.
    due: db.prepare(`SELECT id FROM (SELECT id FROM alert_notifications
        WHERE state = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @limit)
      UNION ALL SELECT id FROM (SELECT id FROM alert_notifications
        WHERE state = 'sending' AND lease_until <= @now ORDER BY lease_until, id LIMIT @limit)
      LIMIT @limit`),
    claim: db.prepare(`UPDATE alert_notifications SET state = 'sending', lease_holder = ?, lease_until = ?
      WHERE id = ? RETURNING ${NOTIFICATION_COLUMNS}`),
    insertAttempt: db.prepare(`
      INSERT INTO alert_delivery_attempts (notification_id, attempt, at, ms, ok, retryable, status, error, holder)
      SELECT id, attempts + 1, @at, @ms, @ok, @retryable, @status, @error, @holder FROM alert_notifications WHERE id = @id`),
    finish: db.prepare(`UPDATE alert_notifications SET state = @state, attempts = attempts + 1,
        next_attempt_at = @nextAttemptAt, lease_holder = NULL, lease_until = NULL,
        delivered_at = @deliveredAt, last_error = @error, last_status = @status
      WHERE id = @id AND state = 'sending' AND lease_holder = @holder`),
    release:
      db.prepare(`UPDATE alert_notifications SET state = 'pending', lease_holder = NULL, lease_until = NULL,
      next_attempt_at = ? WHERE id = ? AND state = 'sending' AND lease_holder = ?`),
    attempts: db.prepare(`SELECT ${ATTEMPT_COLUMNS} FROM alert_delivery_attempts d
      JOIN alert_notifications n ON n.id = d.notification_id
      WHERE d.notification_id IN (SELECT value FROM json_each(?)) ORDER BY d.id`),
    counts: db.prepare('SELECT state, COUNT(*) AS n FROM alert_notifications GROUP BY state'),
    nextDue: db.prepare(`SELECT MIN(t) AS t FROM (
      SELECT MIN(next_attempt_at) AS t FROM alert_notifications WHERE state = 'pending'
      UNION ALL SELECT MIN(lease_until) FROM alert_notifications WHERE state = 'sending')`),
    openCounts: db.prepare(`SELECT state, severity, COUNT(*) AS count FROM alerts
      WHERE state <> 'resolved' AND (state <> 'pending') GROUP BY state, severity ORDER BY state, severity`),
  };
}

/**
 * The alerts part on SQLite: every write one `BEGIN IMMEDIATE` transaction
 * through the store's `write`, so an alert change, its history and its
 * notifications commit together or not at all.
 */
export function createSqliteAlertStore(handle: SqliteHandle): AlertStore {
  const { db, write, read } = handle;
  let prepared: ReturnType<typeof prepare> | undefined;
  const updates = new Map<string, SqliteStatement>();
  // On first use: the part is built before migrate() may have created its tables.
  const st = () => {
    prepared ??= prepare(db);
    return prepared;
  };
  const addHistory = (h: AlertHistoryDraft) => st().insertHistory.run(h);
  const addNotifications = (drafts: readonly NotificationDraft[], nowMs: number) => {
    let added = 0;
    for (const n of drafts) {
      const r = st().insertNotification.run(
        n.idempotencyKey,
        n.receiver,
        n.kind,
        n.groupKey,
        JSON.stringify(n.alertIds),
        JSON.stringify(n.payload),
        n.dueAt,
        nowMs,
      );
      if (r.changes === 0) continue;
      added++;
      for (const a of n.alertIds) st().linkAlert.run(a, Number(r.lastInsertRowid));
    }
    return added;
  };
  const applyWrite = (w: AlertWrite, nowMs: number): boolean => {
    for (const u of w.updates) {
      const keys = Object.keys(u.set).filter((k) => PATCH_COLUMNS[k] !== undefined);
      const sets = keys.map((k) => `${PATCH_COLUMNS[k]} = @${k}`);
      const sql = `UPDATE alerts SET ${[...sets, 'version = version + 1', 'updated_at = @now'].join(', ')}
        WHERE id = @id AND version = @version`;
      const statement = updates.get(sql) ?? db.prepare(sql);
      updates.set(sql, statement);
      const changed = statement.run({ ...u.set, id: u.id, version: u.version, now: nowMs }).changes;
      // Another process changed the alert since this write was planned: undo everything.
      if (changed === 0) throw CONFLICT;
    }
    for (const h of w.history) addHistory(h);
    addNotifications(w.notifications, nowMs);
    return true;
  };

  return {
    async openAlerts() {
      return read('reading open alerts', () => (st().open.all() as Row[]).map(toAlert));
    },
    async listAlerts(f) {
      const where = [];
      const params: unknown[] = [];
      if (f.states?.length) {
        where.push(`state IN (${f.states.map(() => '?').join(', ')})`);
        params.push(...f.states);
      }
      if (f.severities?.length) {
        where.push(`severity IN (${f.severities.map(() => '?').join(', ')})`);
        params.push(...f.severities);
      }
      if (!f.includeNeverFired) where.push('fired_at IS NOT NULL');
      where.push('id < ?');
      params.push(f.beforeId ?? MAX_ID, f.limit);
      const sql = `SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
      return read('listing alerts', () => (db.prepare(sql).all(...params) as Row[]).map(toAlert));
    },
    async getAlert(id) {
      const row = read(`reading alert ${id}`, () => st().byId.get(id)) as Row | undefined;
      return row && toAlert(row);
    },
    async createAlert(alert, history) {
      return write(`opening an alert of rule "${alert.rule}"`, () => {
        if (st().openByFingerprint.get(alert.fingerprint)) return undefined;
        const id = Number(
          st().insertAlert.run({ ...alert, labels: JSON.stringify(alert.labels) }).lastInsertRowid,
        );
        for (const h of history) addHistory({ ...h, alertId: id });
        return toAlert(st().byId.get(id) as Row);
      });
    },
    async applyAlertWrite(w, nowMs) {
      try {
        return write('changing alerts', () => applyWrite(w, nowMs));
      } catch (err) {
        if (err === CONFLICT || (err as { cause?: unknown }).cause === CONFLICT) return false;
        throw err;
      }
    },
    async alertHistory(f) {
      return read('reading alert history', () =>
        (
          st().history.all({
            alertId: f.alertId ?? null,
            since: f.since ?? 0,
            beforeId: f.beforeId ?? MAX_ID,
            limit: f.limit,
          }) as Row[]
        ).map(toHistory),
      );
    },
    async createSilence(s) {
      return write('creating a silence', () => {
        const id = st().insertSilence.run(
          JSON.stringify(s.matchers),
          s.startsAt,
          s.endsAt,
          s.author,
          s.comment,
          s.createdAt,
        ).lastInsertRowid;
        return toSilence(st().silenceById.get(id) as Row);
      });
    },
    async listSilences(f) {
      return read('listing silences', () =>
        (
          st().silences.all({
            activeAt: f.activeAt ?? null,
            includeEnded: f.includeEnded ? 1 : 0,
            now: f.nowMs,
            limit: f.limit,
          }) as Row[]
        ).map(toSilence),
      );
    },
    async getSilence(id) {
      const row = read(`reading silence ${id}`, () => st().silenceById.get(id)) as Row | undefined;
      return row && toSilence(row);
    },
    async expireSilence(id, nowMs) {
      return write(`expiring silence ${id}`, () => {
        st().expireSilence.run(nowMs, id, nowMs);
        const row = st().silenceById.get(id) as Row | undefined;
        return row && toSilence(row);
      });
    },
    async enqueueNotifications(drafts, nowMs) {
      return write('queueing notifications', () => addNotifications(drafts, nowMs));
    },
    async claimNotifications(holder, nowMs, leaseMs, limit) {
      return write('claiming notifications', () => {
        const ids = (st().due.all({ now: nowMs, limit }) as { id: number }[]).map((r) => r.id);
        return ids.map((id) => toNotification(st().claim.get(holder, nowMs + leaseMs, id) as Row));
      });
    },
    async recordDeliveries(records: readonly DeliveryRecord[]) {
      return write('recording deliveries', () =>
        records.map((r) => {
          const o = r.outcome;
          st().insertAttempt.run({
            id: r.notificationId,
            at: r.at,
            ms: Math.round(r.ms),
            ok: o.ok ? 1 : 0,
            retryable: !o.ok && o.retryable ? 1 : 0,
            status: o.status ?? null,
            error: o.ok ? null : o.error,
            holder: r.holder,
          });
          return (
            st().finish.run({
              id: r.notificationId,
              holder: r.holder,
              state: r.next.state,
              nextAttemptAt: r.next.state === 'pending' ? r.next.nextAttemptAt : r.at,
              deliveredAt: r.next.state === 'delivered' ? r.at : null,
              error: o.ok ? null : o.error,
              status: o.status ?? null,
            }).changes > 0
          );
        }),
      );
    },
    async releaseNotifications(ids, holder, nowMs) {
      write('releasing notifications', () => {
        for (const id of ids) st().release.run(nowMs, id, holder);
      });
    },
    async listNotifications(f) {
      const where = ['id < ?'];
      const params: unknown[] = [f.beforeId ?? MAX_ID];
      if (f.alertId !== undefined) {
        where.push('id IN (SELECT notification_id FROM alert_notification_alerts WHERE alert_id = ?)');
        params.push(f.alertId);
      }
      if (f.states?.length) {
        where.push(`state IN (${f.states.map(() => '?').join(', ')})`);
        params.push(...f.states);
      }
      params.push(f.limit);
      const sql = `SELECT ${NOTIFICATION_COLUMNS} FROM alert_notifications WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
      return read('listing notifications', () =>
        (db.prepare(sql).all(...params) as Row[]).map(toNotification),
      );
    },
    async deliveryAttempts(ids) {
      return read('reading delivery attempts', () =>
        (st().attempts.all(JSON.stringify(ids)) as Row[]).map(toAttempt),
      );
    },
    async outboxCounts() {
      const counts: Record<NotificationState, number> = { pending: 0, sending: 0, delivered: 0, failed: 0 };
      const rows = read('counting notifications', () => st().counts.all()) as {
        state: NotificationState;
        n: number;
      }[];
      for (const r of rows) counts[r.state] = r.n;
      return counts;
    },
    async nextNotificationDue() {
      const row = read('reading the next notification due', () => st().nextDue.get()) as { t: number | null };
      return row.t;
    },
    async countOpenAlerts() {
      return read('counting alerts', () => st().openCounts.all()) as Awaited<
        ReturnType<AlertStore['countOpenAlerts']>
      >;
    },
  };
}

/** Thrown inside a write to roll it back when an alert moved past the planned version. */
const CONFLICT = new Error('alert version conflict');
