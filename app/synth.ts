/**
 * Loads a synthetic portfolio (demo/synth.ts) for benchmarks and load tests, the way the demo
 * portfolio is stored (app/portfolio.ts). Idempotent: a second run with the same options stores the
 * same rows and records no value. Refuses a database that holds projects of its own (not synthetic)
 * unless forced, so that real or demo data never gets synthetic projects mixed in by mistake.
 */
import { RbmError } from '../domain/errors.js';
import { SYNTH_CODE_PREFIX, synthPortfolio, type SynthOptions } from '../demo/synth.js';
import { upsertAgreement } from '../db/agreements-repository.js';
import { inTransaction, type Queryable } from '../db/pool.js';
import { upsertDonors, upsertFrameworkNodes, upsertProject } from '../db/portfolio-repository.js';
import { listUsers, upsertUsers } from '../db/users-repository.js';
import { recordValues, type RecordOutcome } from '../db/values-repository.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface LoadedSynthPortfolio {
  projects: number;
  indicators: number;
  users: number;
  /** Users whose name, e-mail or roles were written (0 on a second run). */
  usersWritten: number;
  agreements: number;
  values: RecordOutcome;
  quarters: string[];
}

const isSynthetic = (code: string) => code.startsWith(SYNTH_CODE_PREFIX);

/** Codes of the projects in the database that are not synthetic. */
export async function nonSyntheticProjects(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ code: string }>('SELECT code FROM projects ORDER BY code');
  return rows.map((r) => r.code).filter((c) => !isSynthetic(c));
}

/** `withValues: false` stores the projects, users and agreements only (the import benchmark imports the values). */
export async function loadSynthPortfolio(ctx: DbContext, opts: SynthOptions & { force?: boolean; withValues?: boolean }): Promise<LoadedSynthPortfolio> {
  let portfolio;
  try {
    portfolio = synthPortfolio(opts);
  } catch (e) {
    if (e instanceof RangeError) throw new RbmError('invalid_input', e.message);
    throw e;
  }
  return inTransaction(ctx.pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rbm:load-synth-portfolio']);
    if (!opts.force) {
      const others = await nonSyntheticProjects(tx);
      if (others.length) {
        throw new RbmError('invalid_input', `this database holds ${others.length} project(s) that are not synthetic (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''}): a synthetic portfolio goes into a database of its own; --force adds it anyway`);
      }
    }
    await upsertFrameworkNodes(tx, portfolio.frameworkNodes);
    await upsertDonors(tx, portfolio.donors);
    for (const p of portfolio.projects) await upsertProject(tx, p);
    // Users whose stored name, e-mail and roles are already these are left alone (no row changes).
    const stored = new Map((await listUsers(tx)).map((u) => [u.id, u]));
    const key = (u: { name: string; email: string; roles: Array<{ role: string; projectCode?: string | null; donorCode?: string | null }> }) =>
      JSON.stringify([u.name, u.email, u.roles.map((r) => `${r.role}|${r.projectCode ?? ''}|${r.donorCode ?? ''}`).sort()]);
    const changed = portfolio.users.filter((u) => {
      const s = stored.get(u.id);
      return !s || key(s) !== key(u);
    });
    await upsertUsers(tx, changed.map((u) => ({ ...u, roles: u.roles.map((r) => ({ role: r.role, projectCode: r.projectCode ?? null, donorCode: r.donorCode ?? null })) })));
    for (const a of portfolio.agreements) await upsertAgreement(tx, a);
    const values = opts.withValues === false ? [] : portfolio.projects.flatMap((p) => p.values.map((v) => ({ ...v, projectCode: p.project.code, source: 'synthetic data' })));
    const outcome = await recordValues(tx, values, 'synth-loader');
    return {
      projects: portfolio.projects.length,
      indicators: portfolio.projects.reduce((n, p) => n + p.indicators.length, 0),
      users: portfolio.users.length,
      usersWritten: changed.length,
      agreements: portfolio.agreements.length,
      values: outcome,
      quarters: portfolio.quarters,
    };
  });
}
