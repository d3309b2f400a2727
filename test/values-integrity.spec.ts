/**
 * What indicator_values guarantees after db/migrations/1733155200000_values-bulk-writes.sql replaced
 * its per-row foreign key with a check per statement: a value always belongs to an existing indicator
 * (single rows, COPY, INSERT ... SELECT), its indicator never changes, deleting an indicator deletes its
 * values, and one current value per cell. On a database of its own (it deletes an indicator).
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../db/pool.js';
import { ownDatabase } from './support/own-database.js';

let pool: Pool;
let indicatorId: number;
let otherIndicatorId: number;
const MISSING = 987654;

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_values_integrity'));
  const { rows } = await pool.query<{ id: number }>(`SELECT id FROM indicators ORDER BY id LIMIT 2`);
  [indicatorId, otherIndicatorId] = rows.map((r) => r.id) as [number, number];
});
afterAll(async () => {
  await pool?.end();
});

const insert = (id: number, location = 'Nowhere') =>
  pool.query(`INSERT INTO indicator_values (indicator_id, period, location, value, entered_by) VALUES ($1, '2025-Q3', $2, 1, 'spec')`, [id, location]);
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('accepted'); }, (e: { code?: string; message: string }) => e);

describe('indicator_values integrity', () => {
  it('refuses a value of an indicator that does not exist, whatever the statement', async () => {
    const single = await failure(insert(MISSING));
    expect(single.code).toBe('23503');
    expect(single.message).toContain(`refers to indicator ${MISSING}, which does not exist`);

    const many = await failure(pool.query(
      `INSERT INTO indicator_values (indicator_id, period, location, value, entered_by)
       SELECT id, '2025-Q3', 'Set ' || g, g, 'spec' FROM (VALUES ($1::int), ($2::int)) AS x(id), generate_series(1, 3) g`,
      [indicatorId, MISSING],
    ));
    expect(many.code).toBe('23503');

    const client = await pool.connect();
    try {
      const lines = `${indicatorId}\t2025-Q3\tCopy 1\t5\tspec\n${MISSING}\t2025-Q3\tCopy 2\t5\tspec\n`;
      const copied = await failure(pipeline(Readable.from([lines]), client.query(copyStreams.from(`COPY indicator_values (indicator_id, period, location, value, entered_by) FROM STDIN`))));
      expect(copied.code).toBe('23503');
    } finally {
      client.release();
    }
    // Nothing of the refused statements stayed, not even their valid rows.
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM indicator_values WHERE entered_by = 'spec'`);
    expect(rows[0].n).toBe(0);
  });

  it('keeps one current value per cell, and never moves a value to another indicator', async () => {
    await insert(indicatorId, 'Twice');
    expect((await failure(insert(indicatorId, 'Twice'))).code).toBe('23505');
    const moved = await failure(pool.query(`UPDATE indicator_values SET indicator_id = $2 WHERE indicator_id = $1 AND location = 'Twice'`, [indicatorId, otherIndicatorId]));
    expect(moved.message).toContain('the indicator of a stored value cannot change');
    const renumbered = await failure(pool.query(`UPDATE indicators SET id = $2 WHERE id = $1`, [indicatorId, MISSING]));
    expect(renumbered.message).toContain('the id of an indicator cannot change');
    // Superseding (what a correction does) is still allowed.
    const superseded = await pool.query(`UPDATE indicator_values SET superseded_at = now() WHERE indicator_id = $1 AND location = 'Twice'`, [indicatorId]);
    expect(superseded.rowCount).toBe(1);
  });

  it('deletes the values of a deleted indicator, and only those', async () => {
    const count = async (id: number) => (await pool.query(`SELECT count(*)::int AS n FROM indicator_values WHERE indicator_id = $1`, [id])).rows[0].n as number;
    const before = await count(otherIndicatorId);
    expect(await count(indicatorId)).toBeGreaterThan(0);
    await pool.query(`DELETE FROM indicator_targets WHERE indicator_id = $1`, [indicatorId]);
    await pool.query(`DELETE FROM indicators WHERE id = $1`, [indicatorId]);
    expect(await count(indicatorId)).toBe(0);
    expect(await count(otherIndicatorId)).toBe(before);
  });
});
