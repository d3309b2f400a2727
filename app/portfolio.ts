/** Portfolio use cases: load the demo portfolio, list projects, indicators and users. */
import { demoPortfolio } from '../demo/portfolio.js';
import { demoValues } from '../demo/values.js';
import { upsertCommonIndicators } from '../db/common-indicators-repository.js';
import { inTransaction } from '../db/pool.js';
import { listIndicators, listProjects, upsertDonors, upsertFrameworkNodes, upsertProject } from '../db/portfolio-repository.js';
import { listUsers, upsertUsers } from '../db/users-repository.js';
import { recordValues, type RecordOutcome } from '../db/values-repository.js';
import { upsertAgreement } from '../db/agreements-repository.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface LoadedPortfolio {
  projects: number;
  indicators: number;
  commonIndicators: number;
  users: number;
  values: RecordOutcome;
}

/** Loads (or refreshes) the demo portfolio and its data up to `throughPeriod`; idempotent. */
export async function loadDemoPortfolio(ctx: DbContext, throughPeriod: string): Promise<LoadedPortfolio> {
  const portfolio = demoPortfolio();
  return inTransaction(ctx.pool, async (tx) => {
    // One loader at a time (a demo and an `npm start` may both load at first start).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rbm:load-demo-portfolio']);
    await upsertFrameworkNodes(tx, portfolio.frameworkNodes);
    await upsertDonors(tx, portfolio.donors);
    // The library before the projects whose indicators link to it.
    await upsertCommonIndicators(tx, portfolio.commonIndicators);
    for (const p of portfolio.projects) await upsertProject(tx, p);
    await upsertUsers(tx, portfolio.users.map((u) => ({ ...u, roles: u.roles.map((r) => ({ role: r.role, projectCode: r.projectCode ?? null, donorCode: r.donorCode ?? null })) })));
    for (const a of portfolio.agreements) await upsertAgreement(tx, a);
    const values = portfolio.projects.flatMap((p) => demoValues(p, throughPeriod).map((v) => ({ ...v, projectCode: p.project.code, source: 'demo data' })));
    const outcome = await recordValues(tx, values, 'demo-loader');
    return {
      projects: portfolio.projects.length,
      indicators: portfolio.projects.reduce((n, p) => n + p.indicators.length, 0),
      commonIndicators: portfolio.commonIndicators.length,
      users: portfolio.users.length,
      values: outcome,
    };
  });
}

export const projectsList = (ctx: DbContext) => listProjects(ctx.pool);
export const indicatorsList = (ctx: DbContext, projectCode: string) => listIndicators(ctx.pool, projectCode);
export const usersList = (ctx: DbContext) => listUsers(ctx.pool);
