/** Report cycles, their gathered versions, rendered artifacts, deliveries and the audit trail. */
import { createHash, randomUUID } from 'node:crypto';
import type { ApprovedCycle } from '../domain/approval-lock.js';
import type { ArtifactRef, CycleState, GatheredData } from '../domain/report-cycle.js';
import type { Queryable } from './pool.js';

export interface CycleRow {
  id: string;
  projectCode: string;
  period: string;
  templateId: string;
  state: CycleState;
  currentVersion: number;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
}

const toCycle = (r: Record<string, any>): CycleRow => ({
  id: r.id, projectCode: r.project_code, period: r.period, templateId: r.template_id, state: r.state,
  currentVersion: r.current_version, startedBy: r.started_by, startedAt: r.started_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

/** Creates the cycle row if it is new; returns the row as stored. */
export async function ensureCycle(q: Queryable, c: { id: string; projectCode: string; period: string; templateId: string; startedBy: string }): Promise<CycleRow> {
  await q.query(
    `INSERT INTO report_cycles (id, project_code, period, template_id, state, started_by) VALUES ($1,$2,$3,$4,'gathering',$5)
     ON CONFLICT (id) DO NOTHING`,
    [c.id, c.projectCode, c.period, c.templateId, c.startedBy],
  );
  return (await getCycle(q, c.id))!;
}

export async function getCycle(q: Queryable, id: string): Promise<CycleRow | undefined> {
  const { rows } = await q.query('SELECT * FROM report_cycles WHERE id = $1', [id]);
  return rows[0] ? toCycle(rows[0]) : undefined;
}

/** When the data of a cycle's version was read (its dataAsOf), or undefined for an unknown version. */
export async function versionDataAsOf(q: Queryable, cycleId: string, version: number): Promise<string | undefined> {
  const { rows } = await q.query<{ at: string }>(
    `SELECT to_char(data_as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM cycle_versions WHERE cycle_id = $1 AND version = $2`,
    [cycleId, version],
  );
  return rows[0]?.at;
}

/** The cycles whose final report was approved and delivered: they lock their period's data (domain/approval-lock.ts). */
export async function listApprovedCycles(q: Queryable, projectCode?: string): Promise<ApprovedCycle[]> {
  const { rows } = await q.query(
    `SELECT id, project_code, period, template_id, updated_at FROM report_cycles WHERE state = 'completed' AND ($1::text IS NULL OR project_code = $1) ORDER BY id`,
    [projectCode ?? null],
  );
  return rows.map((r) => ({ cycleId: r.id, projectCode: r.project_code, period: r.period, templateId: r.template_id, approvedAt: r.updated_at.toISOString() }));
}

/**
 * Of these cycles, those whose current version's data was read before the cell's current value was
 * stored: their report does not hold that value. (A cell without disaggregation has '' in each dimension.)
 */
export async function cyclesReadBeforeCell(
  q: Queryable, cycleIds: string[], cell: { projectCode: string; indicatorCode: string; period: string; disaggregation: Partial<Record<string, string>> },
): Promise<string[]> {
  if (!cycleIds.length) return [];
  const d = (k: string) => cell.disaggregation[k]?.trim() ?? '';
  const { rows } = await q.query<{ id: string }>(
    `SELECT c.id FROM report_cycles c JOIN cycle_versions cv ON cv.cycle_id = c.id AND cv.version = c.current_version
      WHERE c.id = ANY($1::text[]) AND cv.data_as_of < (
        SELECT max(v.entered_at) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
         WHERE p.code = $2 AND i.code = $3 AND v.period = $4 AND v.superseded_at IS NULL
           AND v.sex = $5 AND v.age_group = $6 AND v.population_type = $7 AND v.nationality = $8 AND v.location = $9)
      ORDER BY c.id`,
    [cycleIds, cell.projectCode, cell.indicatorCode, cell.period, d('sex'), d('age_group'), d('population_type'), d('nationality'), d('location')],
  );
  return rows.map((r) => r.id);
}

export async function listCycles(q: Queryable, filter: { state?: string; projectCode?: string } = {}): Promise<CycleRow[]> {
  const { rows } = await q.query(
    `SELECT * FROM report_cycles WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR project_code = $2)
      ORDER BY started_at DESC, id`,
    [filter.state ?? null, filter.projectCode ?? null],
  );
  return rows.map(toCycle);
}

export async function recordCycleVersion(q: Queryable, cycleId: string, data: GatheredData): Promise<GatheredData> {
  await q.query(
    `INSERT INTO cycle_versions (cycle_id, version, data_as_of, value_count, data_sha256) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (cycle_id, version) DO NOTHING`,
    [cycleId, data.version, data.dataAsOf, data.valueCount, data.dataSha256],
  );
  // A retried activity returns what the first attempt stored, so the version never changes under a draft.
  const { rows } = await q.query(
    `SELECT version, to_char(data_as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS data_as_of, value_count, data_sha256
       FROM cycle_versions WHERE cycle_id = $1 AND version = $2`,
    [cycleId, data.version],
  );
  const r = rows[0]!;
  await q.query('UPDATE report_cycles SET current_version = greatest(current_version, $2), updated_at = now() WHERE id = $1', [cycleId, data.version]);
  return { version: r.version, dataAsOf: r.data_as_of, valueCount: r.value_count, dataSha256: r.data_sha256 };
}

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Stores a rendered file once per cycle, version, stage and format; returns its reference. */
export async function saveArtifact(
  q: Queryable,
  a: { cycleId: string | null; version: number; stage: 'preview' | 'draft' | 'final'; format: 'xlsx' | 'pdf'; filename: string; content: Buffer },
): Promise<ArtifactRef> {
  const sha256 = sha256Hex(a.content);
  const { rows } = await q.query(
    `INSERT INTO artifacts (id, cycle_id, version, stage, format, filename, sha256, size_bytes, content)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
     ON CONFLICT (cycle_id, version, stage, format) DO UPDATE SET cycle_id = artifacts.cycle_id
     RETURNING id, sha256, filename, format, size_bytes`,
    [randomUUID(), a.cycleId, a.version, a.stage, a.format, a.filename, sha256, a.content.length, a.content],
  );
  const r = rows[0]!;
  return { id: r.id, sha256: r.sha256, filename: r.filename, format: r.format, sizeBytes: r.size_bytes };
}

export async function findArtifacts(q: Queryable, cycleId: string, version: number, stage: string): Promise<ArtifactRef[]> {
  const { rows } = await q.query(
    'SELECT id, sha256, filename, format, size_bytes FROM artifacts WHERE cycle_id = $1 AND version = $2 AND stage = $3 ORDER BY format',
    [cycleId, version, stage],
  );
  return rows.map((r) => ({ id: r.id, sha256: r.sha256, filename: r.filename, format: r.format, sizeBytes: r.size_bytes }));
}

export async function readArtifact(q: Queryable, id: string): Promise<{ ref: ArtifactRef; content: Buffer } | undefined> {
  const { rows } = await q.query('SELECT id, sha256, filename, format, size_bytes, content FROM artifacts WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { ref: { id: r.id, sha256: r.sha256, filename: r.filename, format: r.format, sizeBytes: r.size_bytes }, content: r.content } : undefined;
}

export interface AuditEvent {
  id: number;
  cycleId: string;
  at: string;
  actor: string;
  action: string;
  version: number | null;
  detail: Record<string, unknown>;
}

/** Appends one audit event and moves the cycle's state; a retried call with the same key is a no-op. */
export async function appendCycleEvent(
  q: Queryable,
  e: { eventKey: string; cycleId: string; state: CycleState; actor: string; action: string; version: number | null; detail: Record<string, unknown> },
): Promise<void> {
  const inserted = await q.query(
    `INSERT INTO audit_events (cycle_id, actor, action, version, detail, event_key) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (event_key) DO NOTHING`,
    [e.cycleId, e.actor, e.action, e.version, e.detail, e.eventKey],
  );
  if (inserted.rowCount) await q.query('UPDATE report_cycles SET state = $2, updated_at = now() WHERE id = $1', [e.cycleId, e.state]);
}

export async function listCycleEvents(q: Queryable, cycleId: string): Promise<AuditEvent[]> {
  const { rows } = await q.query('SELECT * FROM audit_events WHERE cycle_id = $1 ORDER BY id', [cycleId]);
  return rows.map((r) => ({ id: r.id, cycleId: r.cycle_id, at: r.at.toISOString(), actor: r.actor, action: r.action, version: r.version, detail: r.detail }));
}

/**
 * Delivers once per idempotency key: `send` runs only when no delivery with that key was recorded as
 * sent. The key is recorded (pending) before sending and marked sent after.
 */
export async function deliverOnce(
  q: Queryable,
  d: { idempotencyKey: string; cycleId: string; version: number; channel: string; recipient: string },
  send: () => Promise<Record<string, unknown>>,
): Promise<{ alreadySent: boolean; detail: Record<string, unknown> }> {
  await q.query(
    `INSERT INTO deliveries (idempotency_key, cycle_id, version, channel, recipient, state) VALUES ($1,$2,$3,$4,$5,'pending')
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.idempotencyKey, d.cycleId, d.version, d.channel, d.recipient],
  );
  const { rows } = await q.query('SELECT state, detail FROM deliveries WHERE idempotency_key = $1', [d.idempotencyKey]);
  if (rows[0]?.state === 'sent') return { alreadySent: true, detail: rows[0].detail };
  const detail = await send();
  await q.query(`UPDATE deliveries SET state = 'sent', sent_at = now(), detail = $2 WHERE idempotency_key = $1`, [d.idempotencyKey, detail]);
  return { alreadySent: false, detail };
}

export async function lastDelivery(q: Queryable, cycleId: string, channel: string): Promise<{ version: number; detail: Record<string, unknown> } | undefined> {
  const { rows } = await q.query(
    `SELECT version, detail FROM deliveries WHERE cycle_id = $1 AND channel = $2 AND state = 'sent' ORDER BY version DESC LIMIT 1`,
    [cycleId, channel],
  );
  return rows[0];
}
