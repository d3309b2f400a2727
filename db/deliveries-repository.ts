/**
 * Deliveries by e-mail, exactly once per recipient and report version. The idempotency key is
 * recorded as 'sending' before the SMTP call and 'sent' after it; a retry (or a worker that crashed
 * in between) that finds 'sending' cannot know whether the mail left, and does not send it again:
 * the delivery becomes 'unconfirmed', for a person to check and resend deliberately.
 */
import type { Queryable } from './pool.js';

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'unconfirmed' | 'failed';
export interface DeliveryRow {
  id: number;
  idempotencyKey: string;
  cycleId: string | null; // null for a donor's monthly digest
  version: number;
  channel: string;
  recipient: string;
  donorCode: string | null;
  state: DeliveryState;
  attempts: number;
  error: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  sentAt: string | null;
}

const toRow = (r: Record<string, any>): DeliveryRow => ({
  id: r.id, idempotencyKey: r.idempotency_key, cycleId: r.cycle_id, version: r.version, channel: r.channel, recipient: r.recipient,
  donorCode: r.donor_code, state: r.state, attempts: r.attempts, error: r.error, detail: r.detail,
  createdAt: r.created_at.toISOString(), sentAt: r.sent_at ? r.sent_at.toISOString() : null,
});

/**
 * Decides whether to send now. Returns 'send' after moving the delivery to 'sending' (committed before
 * the caller sends), or what was already recorded.
 */
export async function claimDelivery(
  q: Queryable,
  d: { idempotencyKey: string; cycleId: string | null; version: number; channel: string; recipient: string; donorCode: string | null },
): Promise<'send' | 'sent' | 'unconfirmed'> {
  await q.query(
    `INSERT INTO deliveries (idempotency_key, cycle_id, version, channel, recipient, donor_code, state) VALUES ($1,$2,$3,$4,$5,$6,'pending')
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.idempotencyKey, d.cycleId, d.version, d.channel, d.recipient, d.donorCode],
  );
  // One statement: only a pending or failed delivery moves to 'sending'; a 'sending' one is unconfirmed.
  const { rows } = await q.query(
    `UPDATE deliveries SET
       state = CASE WHEN state IN ('pending', 'failed') THEN 'sending' WHEN state = 'sending' THEN 'unconfirmed' ELSE state END,
       attempts = attempts + CASE WHEN state IN ('pending', 'failed') THEN 1 ELSE 0 END
     WHERE idempotency_key = $1
     RETURNING state`,
    [d.idempotencyKey],
  );
  const state = rows[0].state as DeliveryState;
  return state === 'sending' ? 'send' : state === 'sent' ? 'sent' : 'unconfirmed';
}

export async function markDelivery(q: Queryable, idempotencyKey: string, state: 'sent' | 'failed', detail: Record<string, unknown> = {}, error?: string): Promise<void> {
  await q.query(
    `UPDATE deliveries SET state = $2, detail = detail || $3::jsonb, error = $4, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
      WHERE idempotency_key = $1`,
    [idempotencyKey, state, JSON.stringify(detail), error ?? null],
  );
}

export async function listDeliveries(q: Queryable, filter: { cycleId?: string; state?: string } = {}): Promise<DeliveryRow[]> {
  const { rows } = await q.query(
    `SELECT * FROM deliveries WHERE ($1::text IS NULL OR cycle_id = $1) AND ($2::text IS NULL OR state = $2) ORDER BY id`,
    [filter.cycleId ?? null, filter.state ?? null],
  );
  return rows.map(toRow);
}

export async function getDelivery(q: Queryable, id: number): Promise<DeliveryRow | undefined> {
  const { rows } = await q.query('SELECT * FROM deliveries WHERE id = $1', [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Marks the e-mail deliveries of a cycle version that did not go out as failed. */
export async function failOpenDeliveries(q: Queryable, cycleId: string, version: number, error: string): Promise<number> {
  const res = await q.query(
    `UPDATE deliveries SET state = 'failed', error = $3 WHERE cycle_id = $1 AND version = $2 AND channel = 'email' AND state IN ('pending', 'sending')`,
    [cycleId, version, error],
  );
  return res.rowCount ?? 0;
}

/**
 * The latest earlier version of a cycle's report e-mailed to `recipient` (sent, or unconfirmed: most
 * likely received), or null: a donor who received version 1 is told that version 2 replaces it; one
 * who never did is not. Addresses compare without case (the same mailbox).
 */
export async function lastVersionSentTo(q: Queryable, cycleId: string, recipient: string, beforeVersion: number): Promise<number | null> {
  const { rows } = await q.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM deliveries
      WHERE cycle_id = $1 AND lower(recipient) = lower($2) AND channel = 'email' AND state IN ('sent', 'unconfirmed') AND version < $3`,
    [cycleId, recipient, beforeVersion],
  );
  return rows[0]?.version ?? null;
}
