/** Per-cycle narrative text (see migration cycle-narratives): written by M&E officers, read "as of". */
import { RbmError } from '../domain/errors.js';
import type { Queryable } from './pool.js';

const SECTION_KEY = /^[a-z0-9_]+(:[A-Za-z0-9._-]+)?$/;
export const MAX_NARRATIVE_LENGTH = 20_000;

/** Saves `body` as the current text of a section; unchanged text is not written again. */
export async function saveNarrative(q: Queryable, n: { cycleId: string; sectionKey: string; body: string; writtenBy: string }): Promise<'inserted' | 'revised' | 'unchanged'> {
  if (!SECTION_KEY.test(n.sectionKey)) throw new RbmError('invalid_input', `section key "${n.sectionKey}": lowercase letters, digits and underscores (or "indicator:CODE")`);
  if (n.body.length > MAX_NARRATIVE_LENGTH) throw new RbmError('invalid_input', `narrative for "${n.sectionKey}" is longer than ${MAX_NARRATIVE_LENGTH} characters`);
  const current = await q.query<{ id: string; body: string }>(
    `SELECT id, body FROM cycle_narratives WHERE cycle_id = $1 AND section_key = $2 AND superseded_at IS NULL`,
    [n.cycleId, n.sectionKey],
  );
  const row = current.rows[0];
  if (row && row.body === n.body) return 'unchanged';
  if (row) await q.query(`UPDATE cycle_narratives SET superseded_at = clock_timestamp() WHERE id = $1`, [row.id]);
  await q.query(`INSERT INTO cycle_narratives (cycle_id, section_key, body, written_by) VALUES ($1, $2, $3, $4)`, [n.cycleId, n.sectionKey, n.body, n.writtenBy]);
  return row ? 'revised' : 'inserted';
}

/** The narrative of a cycle as it stood at `asOf`: section key -> text. */
export async function readNarrativesAsOf(q: Queryable, cycleId: string, asOf: string): Promise<Record<string, string>> {
  const { rows } = await q.query<{ section_key: string; body: string }>(
    `SELECT section_key, body FROM cycle_narratives
      WHERE cycle_id = $1 AND written_at <= $2 AND (superseded_at IS NULL OR superseded_at > $2)
      ORDER BY section_key`,
    [cycleId, asOf],
  );
  return Object.fromEntries(rows.map((r) => [r.section_key, r.body]));
}
