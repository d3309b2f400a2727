/**
 * `rbm portfolio synth` against databases of the spec's own: twice on an empty one (the second run
 * changes nothing), and on one with the demo portfolio (refused, exit 2, unless --force).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Pool } from '../db/pool.js';
import { ownDatabase } from './support/own-database.js';
import { runRbm } from './support/rbm-process.js';

let empty: { pool: Pool; databaseUrl: string };
let demo: { pool: Pool; databaseUrl: string };
const rbm = (databaseUrl: string, args: string[]) =>
  runRbm(args, { ...process.env, DATABASE_URL: databaseUrl, RBM_DATA_DIR: path.join(inject('scratchDir'), 'synth-data') });

/** Every row that the load writes, as text, so that "changes nothing" is checked row by row. */
async function snapshot(pool: Pool): Promise<string> {
  const tables: Array<[string, string]> = [
    ['projects', 'SELECT code, title, start_date, end_date, illustrative FROM projects ORDER BY code'],
    ['indicators', 'SELECT p.code, i.code, i.type, i.id FROM indicators i JOIN projects p ON p.id = i.project_id ORDER BY 1, 2'],
    ['results', 'SELECT id, code FROM results ORDER BY id'],
    ['users', 'SELECT id, name, email FROM users ORDER BY id'],
    ['roles', 'SELECT id, user_id, role, project_code, donor_code FROM user_roles ORDER BY id'],
    ['donors', 'SELECT code, name, contact_email FROM donors ORDER BY code'],
    ['agreements', 'SELECT id, donor_code, project_code, frequency FROM agreements ORDER BY id'],
    ['values', 'SELECT count(*) AS n, max(id) AS last, count(*) FILTER (WHERE superseded_at IS NOT NULL) AS superseded FROM indicator_values'],
  ];
  const out: Record<string, unknown> = {};
  for (const [name, sql] of tables) out[name] = (await pool.query(sql)).rows;
  return JSON.stringify(out);
}

beforeAll(async () => {
  empty = await ownDatabase('synth_empty', { demoThrough: undefined });
  demo = await ownDatabase('synth_demo');
});
afterAll(async () => {
  await empty?.pool.end();
  await demo?.pool.end();
});

describe('rbm portfolio synth', () => {
  it('loads 3 projects into an empty database, and a second run changes nothing', async () => {
    const first = await rbm(empty.databaseUrl, ['portfolio', 'synth', '--projects', '3', '--seed', '5']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/3 projects, 30 indicators, .* quarters 2023-Q1 to 2025-Q4; values: [1-9]\d* new, 0 revised, 0 unchanged/);
    const codes = (await empty.pool.query('SELECT code FROM projects ORDER BY code')).rows.map((r) => r.code);
    expect(codes).toEqual(['SYN0001', 'SYN0002', 'SYN0003']);
    const types = (await empty.pool.query('SELECT DISTINCT type FROM indicators ORDER BY type')).rows.map((r) => r.type);
    expect(types).toEqual(['count', 'percentage', 'yes_no']);
    // Breakdowns by sex add up to their totals in the database too.
    const off = await empty.pool.query(`
      SELECT v.indicator_id, v.period FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
       WHERE v.superseded_at IS NULL AND i.type = 'count'
       GROUP BY 1, 2 HAVING sum(v.value) FILTER (WHERE v.sex = '') <> sum(v.value) FILTER (WHERE v.sex <> '')`);
    expect(off.rows).toEqual([]);
    const before = await snapshot(empty.pool);

    const second = await rbm(empty.databaseUrl, ['portfolio', 'synth', '--projects', '3', '--seed', '5']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\(0 written\).*values: 0 new, 0 revised, [1-9]\d* unchanged/);
    expect(await snapshot(empty.pool)).toBe(before);
  });

  it('refuses a database that holds the demo portfolio (exit 2, saying why) unless --force', async () => {
    const before = await snapshot(demo.pool);
    const refused = await rbm(demo.databaseUrl, ['portfolio', 'synth', '--projects', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds 6 project\(s\) that are not synthetic \(LY10P0542.*--force/);
    expect(await snapshot(demo.pool)).toBe(before);

    const forced = await rbm(demo.databaseUrl, ['portfolio', 'synth', '--projects', '3', '--force']);
    expect(forced.code).toBe(0);
    expect((await demo.pool.query(`SELECT count(*)::int AS n FROM projects WHERE code LIKE 'SYN%'`)).rows[0].n).toBe(3);
    // The demo's own users keep their roles.
    expect((await demo.pool.query(`SELECT count(*)::int AS n FROM user_roles WHERE user_id = 'com.libya'`)).rows[0].n).toBe(6);
  });

  it('says what is wrong with a bad option (exit 2)', async () => {
    const r = await rbm(empty.databaseUrl, ['portfolio', 'synth', '--projects', 'zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--projects takes a whole number/);
  });
});
