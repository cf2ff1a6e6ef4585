import type { PgClient, PostgresHandle } from '../../../store/postgres/postgres-connection.js';
import type { AlertHistoryDraft, AlertWrite, NotificationDraft } from '../../alert-model.js';
import {
  ALERT_COLUMNS,
  ATTEMPT_COLUMNS,
  HISTORY_COLUMNS,
  NOTIFICATION_COLUMNS,
  notificationColumns,
  PATCH_COLUMNS,
  SILENCE_COLUMNS,
  toAlert,
  toAttempt,
  toHistory,
  toNotification,
  toSilence,
} from '../alert-rows.js';
import type { AlertStore, NotificationState } from '../alert-store.js';

type Row = Record<string, unknown>;
const MAX_ID = Number.MAX_SAFE_INTEGER;

const INSERT_ALERT = `
  INSERT INTO alerts (fingerprint, rule, kind, severity, base_severity, state, labels, summary, tried, value,
    instance, occurrences, starts_at, fired_at, last_seen_at, ends_at, tier, notify_at, last_notified_at,
    acked_at, acked_by, ack_comment, version, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $23)
  ON CONFLICT (fingerprint) WHERE state <> 'resolved' DO NOTHING
  RETURNING ${ALERT_COLUMNS}`;

const INSERT_HISTORY = `INSERT INTO alert_history (alert_id, at, change, state, severity, tier, detail, actor)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

/**
 * Claims due notifications in one statement: each arm walks one partial
 * index and locks what it takes with SKIP LOCKED, so concurrent claimers (in
 * this process or others sharing the database) pass over each other's rows.
 */
const CLAIM = `
  WITH pending AS (
    SELECT id FROM alert_notifications WHERE state = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
  ), expired AS (
    SELECT id FROM alert_notifications WHERE state = 'sending' AND lease_until <= $1
    ORDER BY lease_until, id LIMIT $2 FOR UPDATE SKIP LOCKED
  ), due AS (
    SELECT id FROM pending UNION ALL SELECT id FROM expired ORDER BY 1 LIMIT $2
  )
  UPDATE alert_notifications n SET state = 'sending', lease_holder = $3, lease_until = $4
  FROM due WHERE n.id = due.id
  RETURNING ${notificationColumns('n.')}`;

async function addHistory(c: PgClient, h: AlertHistoryDraft) {
  await c.query(INSERT_HISTORY, [h.alertId, h.at, h.change, h.state, h.severity, h.tier, h.detail, h.actor]);
}

async function addNotifications(c: PgClient, drafts: readonly NotificationDraft[], nowMs: number) {
  let added = 0;
  for (const n of drafts) {
    const { rows } = await c.query<{ id: number }>(
      `INSERT INTO alert_notifications (idempotency_key, receiver, kind, group_key, alert_ids, payload, state,
         attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        n.idempotencyKey,
        n.receiver,
        n.kind,
        n.groupKey,
        JSON.stringify(n.alertIds),
        JSON.stringify(n.payload),
        n.dueAt,
        nowMs,
      ],
    );
    if (!rows[0]) continue;
    added++;
    if (n.alertIds.length > 0)
      await c.query(
        `INSERT INTO alert_notification_alerts (alert_id, notification_id)
         SELECT a, $2 FROM unnest($1::bigint[]) AS a ON CONFLICT DO NOTHING`,
        [n.alertIds, rows[0].id],
      );
  }
  return added;
}

async function applyWrite(c: PgClient, w: AlertWrite, nowMs: number) {
  for (const u of w.updates) {
    const keys = Object.keys(u.set).filter((k) => PATCH_COLUMNS[k] !== undefined);
    const values: unknown[] = [u.id, u.version, nowMs];
    const sets = keys.map((k) => {
      values.push((u.set as Record<string, unknown>)[k]);
      return `${PATCH_COLUMNS[k]} = $${values.length}`;
    });
    const { rowCount } = await c.query(
      `UPDATE alerts SET ${[...sets, 'version = version + 1', 'updated_at = $3'].join(', ')}
       WHERE id = $1 AND version = $2`,
      values,
    );
    // Another process changed the alert since this write was planned: undo everything.
    if (!rowCount) throw CONFLICT;
  }
  for (const h of w.history) await addHistory(c, h);
  await addNotifications(c, w.notifications, nowMs);
  return true;
}

/**
 * The alerts part on PostgreSQL: changes are transactions (an alert change,
 * its history and its notifications commit together), claims take rows with
 * `FOR UPDATE SKIP LOCKED`, so several gapwarden processes on one database
 * deliver each notification once per lease.
 */
export function createPostgresAlertStore(exec: PostgresHandle): AlertStore {
  const rows = async (what: string, sql: string, values: unknown[] = []) =>
    exec.read(what, async (c) => (await c.query<Row>(sql, values)).rows);
  return {
    async openAlerts() {
      return (
        await rows(
          'reading open alerts',
          `SELECT ${ALERT_COLUMNS} FROM alerts WHERE state <> 'resolved' ORDER BY id`,
        )
      ).map(toAlert);
    },
    async listAlerts(f) {
      const where = ['id < $1'];
      const values: unknown[] = [f.beforeId ?? MAX_ID];
      if (f.states?.length) {
        values.push(f.states);
        where.push(`state = ANY ($${values.length}::text[])`);
      }
      if (f.severities?.length) {
        values.push(f.severities);
        where.push(`severity = ANY ($${values.length}::text[])`);
      }
      if (!f.includeNeverFired) where.push('fired_at IS NOT NULL');
      values.push(f.limit);
      return (
        await rows(
          'listing alerts',
          `SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${values.length}`,
          values,
        )
      ).map(toAlert);
    },
    async getAlert(id) {
      const [row] = await rows(`reading alert ${id}`, `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [
        id,
      ]);
      return row && toAlert(row);
    },
    createAlert: (a, history) =>
      exec.transaction(`opening an alert of rule "${a.rule}"`, async (c) => {
        const { rows: created } = await c.query<Row>(INSERT_ALERT, [
          a.fingerprint,
          a.rule,
          a.kind,
          a.severity,
          a.baseSeverity,
          a.state,
          JSON.stringify(a.labels),
          a.summary,
          a.tried,
          a.value,
          a.instance,
          a.occurrences,
          a.startsAt,
          a.firedAt,
          a.lastSeenAt,
          a.endsAt,
          a.tier,
          a.notifyAt,
          a.lastNotifiedAt,
          a.ackedAt,
          a.ackedBy,
          a.ackComment,
          a.updatedAt,
        ]);
        if (!created[0]) return undefined;
        const alert = toAlert(created[0]);
        for (const h of history) await addHistory(c, { ...h, alertId: alert.id });
        return alert;
      }),
    async applyAlertWrite(w, nowMs) {
      try {
        return await exec.transaction('changing alerts', (c) => applyWrite(c, w, nowMs));
      } catch (err) {
        if (err === CONFLICT || (err as { cause?: unknown }).cause === CONFLICT) return false;
        throw err;
      }
    },
    async alertHistory(f) {
      return (
        await rows(
          'reading alert history',
          `SELECT ${HISTORY_COLUMNS} FROM alert_history h JOIN alerts a ON a.id = h.alert_id
           WHERE ($1::bigint IS NULL OR h.alert_id = $1) AND h.at >= $2 AND h.id < $3
           ORDER BY h.id DESC LIMIT $4`,
          [f.alertId ?? null, f.since ?? 0, f.beforeId ?? MAX_ID, f.limit],
        )
      ).map(toHistory);
    },
    createSilence: (s) =>
      exec.transaction('creating a silence', async (c) => {
        const { rows: r } = await c.query<Row>(
          `INSERT INTO alert_silences (matchers, starts_at, ends_at, author, comment, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SILENCE_COLUMNS}`,
          [JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.author, s.comment, s.createdAt],
        );
        return toSilence(r[0]!);
      }),
    async listSilences(f) {
      return (
        await rows(
          'listing silences',
          `SELECT ${SILENCE_COLUMNS} FROM alert_silences
           WHERE ($1::bigint IS NULL OR (starts_at <= $1 AND ends_at > $1 AND (expired_at IS NULL OR expired_at > $1)))
             AND ($2 OR (ends_at > $3 AND (expired_at IS NULL OR expired_at > $3)))
           ORDER BY id DESC LIMIT $4`,
          [f.activeAt ?? null, f.includeEnded === true, f.nowMs, f.limit],
        )
      ).map(toSilence);
    },
    async getSilence(id) {
      const [row] = await rows(
        `reading silence ${id}`,
        `SELECT ${SILENCE_COLUMNS} FROM alert_silences WHERE id = $1`,
        [id],
      );
      return row && toSilence(row);
    },
    expireSilence: (id, nowMs) =>
      exec.transaction(`expiring silence ${id}`, async (c) => {
        await c.query(
          'UPDATE alert_silences SET expired_at = $1 WHERE id = $2 AND expired_at IS NULL AND ends_at > $1',
          [nowMs, id],
        );
        const { rows: r } = await c.query<Row>(
          `SELECT ${SILENCE_COLUMNS} FROM alert_silences WHERE id = $1`,
          [id],
        );
        return r[0] && toSilence(r[0]);
      }),
    enqueueNotifications: (drafts, nowMs) =>
      exec.transaction('queueing notifications', (c) => addNotifications(c, drafts, nowMs)),
    claimNotifications: (holder, nowMs, leaseMs, limit) =>
      exec.transaction('claiming notifications', async (c) =>
        (await c.query<Row>(CLAIM, [nowMs, limit, holder, nowMs + leaseMs])).rows
          .map(toNotification)
          .sort((a, b) => a.id - b.id),
      ),
    recordDeliveries: (records) =>
      exec.transaction('recording deliveries', async (c) => {
        if (records.length === 0) return [];
        const col = <T>(f: (r: (typeof records)[number]) => T) => records.map(f);
        const failure = (r: (typeof records)[number]) => (r.outcome.ok ? null : r.outcome.error);
        // Two statements for the whole batch: the attempts, then the notifications still held.
        await c.query(
          `INSERT INTO alert_delivery_attempts (notification_id, attempt, at, ms, ok, retryable, status, error, holder)
           SELECT n.id, n.attempts + 1, r.at, r.ms, r.ok, r.retryable, r.status, r.error, r.holder
           FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[])
             AS r(id, at, ms, ok, retryable, status, error, holder)
           JOIN alert_notifications n ON n.id = r.id`,
          [
            col((r) => r.notificationId),
            col((r) => r.at),
            col((r) => Math.round(r.ms)),
            col((r) => (r.outcome.ok ? 1 : 0)),
            col((r) => (!r.outcome.ok && r.outcome.retryable ? 1 : 0)),
            col((r) => r.outcome.status ?? null),
            col(failure),
            col((r) => r.holder),
          ],
        );
        const { rows } = await c.query<{ id: number }>(
          `UPDATE alert_notifications n SET state = r.state, attempts = n.attempts + 1, next_attempt_at = r.next_at,
             lease_holder = NULL, lease_until = NULL, delivered_at = r.delivered_at, last_error = r.error,
             last_status = r.status
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[])
             AS r(id, holder, state, next_at, delivered_at, error, status)
           WHERE n.id = r.id AND n.state = 'sending' AND n.lease_holder = r.holder
           RETURNING n.id`,
          [
            col((r) => r.notificationId),
            col((r) => r.holder),
            col((r) => r.next.state),
            col((r) => (r.next.state === 'pending' ? r.next.nextAttemptAt : r.at)),
            col((r) => (r.next.state === 'delivered' ? r.at : null)),
            col(failure),
            col((r) => r.outcome.status ?? null),
          ],
        );
        const held = new Set(rows.map((r) => Number(r.id)));
        return records.map((r) => held.has(r.notificationId));
      }),
    async releaseNotifications(ids, holder, nowMs) {
      await exec.read('releasing notifications', (c) =>
        c.query(
          `UPDATE alert_notifications SET state = 'pending', lease_holder = NULL, lease_until = NULL, next_attempt_at = $1
           WHERE id = ANY ($2::bigint[]) AND state = 'sending' AND lease_holder = $3`,
          [nowMs, ids, holder],
        ),
      );
    },
    async listNotifications(f) {
      const where = ['id < $1'];
      const values: unknown[] = [f.beforeId ?? MAX_ID];
      if (f.alertId !== undefined) {
        values.push(f.alertId);
        where.push(
          `id IN (SELECT notification_id FROM alert_notification_alerts WHERE alert_id = $${values.length})`,
        );
      }
      if (f.states?.length) {
        values.push(f.states);
        where.push(`state = ANY ($${values.length}::text[])`);
      }
      values.push(f.limit);
      return (
        await rows(
          'listing notifications',
          `SELECT ${NOTIFICATION_COLUMNS} FROM alert_notifications WHERE ${where.join(' AND ')}
           ORDER BY id DESC LIMIT $${values.length}`,
          values,
        )
      ).map(toNotification);
    },
    async deliveryAttempts(ids) {
      return (
        await rows(
          'reading delivery attempts',
          `SELECT ${ATTEMPT_COLUMNS} FROM alert_delivery_attempts d JOIN alert_notifications n ON n.id = d.notification_id
           WHERE d.notification_id = ANY ($1::bigint[]) ORDER BY d.id`,
          [ids],
        )
      ).map(toAttempt);
    },
    async outboxCounts() {
      const counts: Record<NotificationState, number> = { pending: 0, sending: 0, delivered: 0, failed: 0 };
      for (const r of await rows(
        'counting notifications',
        'SELECT state, COUNT(*) AS n FROM alert_notifications GROUP BY state',
      ))
        counts[r.state as NotificationState] = Number(r.n);
      return counts;
    },
    async nextNotificationDue() {
      const [row] = await rows(
        'reading the next notification due',
        `SELECT LEAST(
           (SELECT MIN(next_attempt_at) FROM alert_notifications WHERE state = 'pending'),
           (SELECT MIN(lease_until) FROM alert_notifications WHERE state = 'sending')) AS t`,
      );
      return row?.t === null || row?.t === undefined ? null : Number(row.t);
    },
    async countOpenAlerts() {
      return (
        await rows(
          'counting alerts',
          `SELECT state, severity, COUNT(*) AS count FROM alerts WHERE state NOT IN ('resolved', 'pending')
           GROUP BY state, severity ORDER BY state, severity`,
        )
      ).map((r) => ({ state: r.state, severity: r.severity, count: Number(r.count) })) as Awaited<
        ReturnType<AlertStore['countOpenAlerts']>
      >;
    },
  };
}

/** Thrown inside a transaction to roll it back when an alert moved past the planned version. */
const CONFLICT = new Error('alert version conflict');
