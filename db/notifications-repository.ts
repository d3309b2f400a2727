/** Notifications sent (or not) per event and recipient. */
import type { Queryable } from './pool.js';

export interface NotificationRow {
  eventKey: string;
  cycleId: string;
  kind: string;
  userId: string;
  email: string;
  subject: string;
  state: 'pending' | 'sent' | 'not_configured' | 'failed';
}

/** Claims a (event, recipient) pair; false when it was already sent or skipped before. */
export async function claimNotification(q: Queryable, n: Omit<NotificationRow, 'state'>): Promise<boolean> {
  await q.query(
    `INSERT INTO notifications (event_key, cycle_id, kind, user_id, email, subject, state) VALUES ($1,$2,$3,$4,$5,$6,'pending')
     ON CONFLICT (event_key, user_id) DO NOTHING`,
    [n.eventKey, n.cycleId, n.kind, n.userId, n.email, n.subject],
  );
  const { rows } = await q.query('SELECT state FROM notifications WHERE event_key = $1 AND user_id = $2', [n.eventKey, n.userId]);
  return rows[0]?.state === 'pending' || rows[0]?.state === 'failed';
}

export async function markNotification(q: Queryable, eventKey: string, userId: string, state: NotificationRow['state'], error?: string): Promise<void> {
  await q.query(
    `UPDATE notifications SET state = $3, error = $4, sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END
      WHERE event_key = $1 AND user_id = $2`,
    [eventKey, userId, state, error ?? null],
  );
}

export async function listNotifications(q: Queryable, cycleId: string): Promise<NotificationRow[]> {
  const { rows } = await q.query('SELECT * FROM notifications WHERE cycle_id = $1 ORDER BY id', [cycleId]);
  return rows.map((r) => ({ eventKey: r.event_key, cycleId: r.cycle_id, kind: r.kind, userId: r.user_id, email: r.email, subject: r.subject, state: r.state }));
}
