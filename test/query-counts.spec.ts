/**
 * No N+1 reads (issue 16, 3): the reads of a cycle's gather and of its report are a fixed number
 * whatever the project's size, and the mission overview's whatever the portfolio's. Counted on two
 * synthetic portfolios of their own databases, a small one and one with four times the indicators and
 * three times the projects: each use case must issue exactly as many statements on both.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { buildMissionModelFromDb, buildReportModelFromDb, type ReportRequest } from '../activities/report-files.js';
import { loadSynthPortfolio } from '../app/synth.js';
import type { Pool } from '../db/pool.js';
import { databaseNow } from '../db/values-repository.js';
import { SYNTH_LAST_QUARTER, SYNTH_TEMPLATE, synthProjectCode } from '../demo/synth.js';
import { ownDatabase } from './support/own-database.js';

interface Portfolio {
  pool: Pool;
  /** Statements sent since the last reset (pool.query and queries on clients checked out of it). */
  statements(): number;
  reset(): void;
}

/** Counts every statement sent through the pool, whether by pool.query or on a checked-out client. */
function counting(pool: Pool): Portfolio {
  let n = 0;
  const wrapped = new WeakSet<object>();
  const wrap = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return client;
    wrapped.add(client);
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      n++;
      return query(...a);
    };
    return client;
  };
  // pool.query checks a client out and queries it: counted once, on the client.
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as unknown as { connect: (cb?: unknown) => unknown }).connect = (cb?: unknown) => {
    if (typeof cb === 'function') {
      return connect().then((c) => (cb as (e: unknown, c: unknown, done: () => void) => void)(undefined, wrap(c), () => c.release()), (e) => (cb as (e: unknown) => void)(e));
    }
    return connect().then(wrap);
  };
  return { pool, statements: () => n, reset: () => { n = 0; } };
}

let small: Portfolio;
let large: Portfolio;

async function portfolio(name: string, projects: number, indicators: number): Promise<Portfolio> {
  const { pool } = await ownDatabase(name, { demoThrough: undefined });
  await loadSynthPortfolio({ pool }, { projects, indicators, quarters: 8, seed: '3' });
  // One cycle of the first project, as a started workflow records it (rows only: no Temporal here).
  await pool.query(
    `INSERT INTO report_cycles (id, project_code, period, template_id, state, current_version, started_by)
     VALUES ($1, $2, $3, $4, 'gathering', 1, 'me.synth')`,
    [cycleOf(synthProjectCode(0)), synthProjectCode(0), SYNTH_LAST_QUARTER, SYNTH_TEMPLATE],
  );
  return counting(pool);
}
const cycleOf = (code: string) => `report-cycle/${code}/${SYNTH_LAST_QUARTER}/${SYNTH_TEMPLATE}`;

beforeAll(async () => {
  small = await portfolio('query_counts_small', 2, 3);
  large = await portfolio('query_counts_large', 6, 12);
});
afterAll(async () => {
  await small?.pool.end();
  await large?.pool.end();
});

/** How many statements `fn` sends on each portfolio (after a warm-up run, so that both are alike). */
async function statementsOf(fn: (p: Portfolio) => Promise<unknown>): Promise<{ small: number; large: number }> {
  const out = { small: 0, large: 0 };
  for (const [key, p] of [['small', small], ['large', large]] as const) {
    await fn(p);
    p.reset();
    await fn(p);
    out[key] = p.statements();
  }
  return out;
}

async function request(p: Portfolio, templateId: string): Promise<ReportRequest> {
  const dataAsOf = await databaseNow(p.pool);
  return { projectCode: synthProjectCode(0), period: SYNTH_LAST_QUARTER, templateId, dataAsOf, cycleId: cycleOf(synthProjectCode(0)), version: 1, stage: 'draft', decisions: [], generatedAt: dataAsOf };
}

describe('reads per use case, whatever the size', () => {
  it('the portfolios differ in size (the counts below compare like with unlike)', async () => {
    const count = async (p: Portfolio, sql: string) => (await p.pool.query<{ n: number }>(sql)).rows[0]!.n;
    expect(await count(small, 'SELECT count(*)::int AS n FROM indicators')).toBe(2 * 3);
    expect(await count(large, 'SELECT count(*)::int AS n FROM indicators')).toBe(6 * 12);
  });

  it("a cycle's gather: the same statements for 3 indicators as for 12", async () => {
    let version = 1;
    const counts = await statementsOf(async (p) => createActivities({ pool: p.pool, outDir: '/nonexistent' }).gatherCycleData({ cycleId: cycleOf(synthProjectCode(0)), projectCode: synthProjectCode(0), version: version++ }));
    expect(counts.small).toBeGreaterThan(0);
    expect(counts.large).toBe(counts.small);
  });

  it("a project report's model: the same statements for 3 indicators as for 12", async () => {
    const counts = await statementsOf(async (p) => buildReportModelFromDb(p.pool, await request(p, SYNTH_TEMPLATE)));
    expect(counts.small).toBeGreaterThan(0);
    expect(counts.large).toBe(counts.small);
  });

  it('the mission overview: the same statements for 2 projects as for 6', async () => {
    const counts = await statementsOf(async (p) => buildMissionModelFromDb(p.pool, { ...(await request(p, 'mission-overview')), cycleId: null }));
    expect(counts.small).toBeGreaterThan(0);
    expect(counts.large).toBe(counts.small);
  });
});
