/**
 * What the admin pages, the M&E portfolio's data-quality box and the admin API read and do:
 * each project's latest status by UNSDCF output, data quality (quarantine, missing data, stale
 * sources), donors and agreements, the Temporal Schedules of agreements and sources, the frameworks.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import { qualityPeriod } from '../domain/periods.js';
import { emptyStatusCounts, type ProgressStatus } from '../domain/progress.js';
import { buildReportModel } from '../domain/report-model.js';
import { listDonors, listFrameworkNodes, type DonorRow, type FrameworkNodeRow } from '../db/frameworks-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { indicatorsWithoutValue, quarantineCountsByProject, sourceRunFacts } from '../db/quality-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { listUsers } from '../db/users-repository.js';
import { can, type Principal } from './auth.js';
import type { AppContext } from './context.js';
import { dataScopeOf, requireAdmin, requireDataDesk } from './data-scope.js';
import { requireStaff } from './web-views.js';
import { loadSources } from './sources.js';

/** A source whose last success is older than this (or that never succeeded, or whose last run failed) is stale. */
export const STALE_SOURCE_DAYS = 14;

export interface OutputStatus {
  key: string; // framework node code, or "other"
  title: string;
  illustrative: boolean;
  indicators: number;
  byStatus: Record<ProgressStatus, number>;
}
export interface ProjectQuality {
  projectCode: string;
  /** The quarter checked (null: the project has not started). */
  period: string | null;
  byOutput: OutputStatus[];
  quarantined: number;
  missing: string[];
  staleSources: StaleSource[];
}
export interface StaleSource {
  sourceId: string;
  kind: string;
  reason: 'failed' | 'old' | 'never';
  lastSuccessAt: string | null;
  lastError: string | null;
}

/**
 * Per readable project: its status on current data for the quarter checked, grouped by UNSDCF output
 * (the results' contributions, as the donor templates group them), and its data quality.
 */
export async function portfolioQuality(
  ctx: AppContext, p: Principal, projectCodes: string[], opts: { staleDays?: number; /** Which quarter is checked (default: the database's clock). */ now?: string } = {},
): Promise<Map<string, ProjectQuality>> {
  const now = await databaseNow(ctx.pool);
  const checkedAt = opts.now ?? now;
  const staleMs = (opts.staleDays ?? STALE_SOURCE_DAYS) * 86_400_000;
  const [quarantine, runs, sources] = await Promise.all([
    quarantineCountsByProject(ctx.pool),
    sourceRunFacts(ctx.pool),
    loadSources(ctx).then((c) => c.sources).catch(() => []), // a broken sources file is reported by `rbm sources`, not here
  ]);
  // Every configured source, and every source seen in the gather log (a source removed from the file keeps its history).
  const known = new Map<string, { id: string; kind: string; project: string }>();
  for (const r of runs) known.set(r.sourceId, { id: r.sourceId, kind: r.sourceKind, project: r.projectCode });
  for (const s of sources) known.set(s.id, { id: s.id, kind: s.kind, project: s.project });
  const runOf = new Map(runs.map((r) => [r.sourceId, r]));

  const out = new Map<string, ProjectQuality>();
  // Statuses need period totals only: values reduced in the database (domain/rollup-values.ts).
  const valuesByProject = await readRollupValuesAsOf(ctx.pool, now);
  for (const code of projectCodes.filter((c) => can(p, 'read_project', c))) {
    const bundle = await getProjectBundle(ctx.pool, code);
    const period = qualityPeriod(bundle.project, checkedAt);
    let byOutput: OutputStatus[] = [];
    let missing: string[] = [];
    if (period) {
      const model = buildReportModel({
        ...bundle, values: valuesByProject.get(code) ?? [], period,
        template: { id: 'portfolio', title: 'Portfolio', language: 'en', groupBy: 'unsdcf' },
        cycle: { id: null, version: 0, status: 'preview', dataAsOf: now }, approvals: [], generatedAt: now,
      });
      byOutput = model.sections.map((s) => {
        const byStatus: Record<ProgressStatus, number> = emptyStatusCounts();
        for (const r of s.rows) byStatus[r.status]++;
        return { key: s.key, title: s.title, illustrative: s.illustrative, indicators: s.rows.length, byStatus };
      });
      missing = await indicatorsWithoutValue(ctx.pool, code, period);
    }
    const staleSources: StaleSource[] = [];
    for (const s of [...known.values()].filter((x) => x.project === code).sort((a, b) => a.id.localeCompare(b.id))) {
      const run = runOf.get(s.id);
      const reason = run?.lastStatus === 'failed' ? 'failed'
        : !run || (!run.lastSuccessAt && run.lastStatus !== 'running') ? 'never'
          : run.lastSuccessAt && Date.parse(now) - Date.parse(run.lastSuccessAt) > staleMs ? 'old' : null;
      if (reason) staleSources.push({ sourceId: s.id, kind: s.kind, reason, lastSuccessAt: run?.lastSuccessAt ?? null, lastError: run?.lastError ?? null });
    }
    out.set(code, { projectCode: code, period, byOutput, quarantined: quarantine.get(code) ?? 0, missing, staleSources });
  }
  return out;
}

// --- donors and agreements ---------------------------------------------------------------------

export const donorsList = (ctx: Pick<AppContext, 'pool'>): Promise<DonorRow[]> => listDonors(ctx.pool);

// --- schedules -----------------------------------------------------------------------------------

export const MANAGED_SCHEDULE_PREFIXES = ['agreement/', 'digest/', 'source/'] as const;
const isManaged = (id: string) => MANAGED_SCHEDULE_PREFIXES.some((p) => id.startsWith(p));

export interface ScheduleListing {
  id: string;
  kind: 'agreement' | 'digest' | 'source';
  paused: boolean;
  note: string | null;
  nextRun: string | null;
  lastRun: string | null;
  workflowType: string | null;
}

/** The Temporal Schedules of agreements and sources, with their next run and paused state. */
export async function schedulesList(ctx: AppContext): Promise<ScheduleListing[]> {
  const ids: string[] = [];
  for await (const s of ctx.temporal.schedule.list()) if (isManaged(s.scheduleId)) ids.push(s.scheduleId);
  const out: ScheduleListing[] = [];
  for (const id of ids.sort()) {
    try {
      const d = await ctx.temporal.schedule.getHandle(id).describe();
      const last = d.info.recentActions.at(-1);
      out.push({
        id, kind: id.startsWith('agreement/') ? 'agreement' : id.startsWith('digest/') ? 'digest' : 'source', paused: d.state.paused, note: d.state.note ?? null,
        nextRun: d.info.nextActionTimes[0]?.toISOString() ?? null,
        lastRun: last ? last.takenAt.toISOString() : null,
        workflowType: d.action.type === 'startWorkflow' ? d.action.workflowType : null,
      });
    } catch (e) {
      if (!(e instanceof ScheduleNotFoundError)) throw e; // deleted between list and describe (the list is eventually consistent)
    }
  }
  return out;
}

/**
 * The schedules of the projects in the user's data scope: an agreement's by its project, a source's by
 * the project it is configured for; a donor's digest spans projects, so only an unscoped officer sees it.
 */
export async function schedulesFor(ctx: AppContext, p: Principal, filter: { kind?: ScheduleListing['kind'] } = {}): Promise<ScheduleListing[]> {
  requireDataDesk(p, 'schedules');
  const scope = dataScopeOf(p);
  const all = (await schedulesList(ctx)).filter((s) => !filter.kind || s.kind === filter.kind);
  if (scope.all) return all;
  const sources = await loadSources(ctx).then((c) => c.sources).catch(() => []);
  const projectOfSource = new Map(sources.map((s) => [s.id, s.project]));
  return all.filter((s) => {
    if (s.kind === 'agreement') return scope.allows(s.id.split('/')[2] ?? '');
    if (s.kind === 'source') return scope.allows(projectOfSource.get(s.id.slice('source/'.length)) ?? '');
    return false;
  });
}

/** As setSchedulePaused, for an administrator signed in. */
export async function setSchedulePausedAs(ctx: AppContext, p: Principal, id: string, paused: boolean): Promise<void> {
  requireAdmin(p, 'schedules');
  return setSchedulePaused(ctx, id, paused, p.userId);
}

/** The donors, for the admin page of agreements (administrators). */
export async function donorsFor(ctx: Pick<AppContext, 'pool'>, p: Principal): Promise<DonorRow[]> {
  requireAdmin(p, 'donors and agreements');
  return listDonors(ctx.pool);
}

/** Pauses or resumes an agreement or source schedule (admins), with a note naming who did it. */
export async function setSchedulePaused(ctx: AppContext, id: string, paused: boolean, by: string): Promise<void> {
  if (!isManaged(id)) throw new RbmError('not_found', `no schedule ${id} (only agreement/* and source/* schedules are managed here)`);
  const handle = ctx.temporal.schedule.getHandle(id);
  try {
    if (paused) await handle.pause(`paused by ${by} in the web application`);
    else await handle.unpause(`resumed by ${by} in the web application`);
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new RbmError('not_found', `no schedule ${id}`);
    throw e;
  }
}

// --- frameworks --------------------------------------------------------------------------------

export interface FrameworkTreeNode extends FrameworkNodeRow {
  children: FrameworkTreeNode[];
}

/** The frameworks as trees, for IOM staff. */
export async function frameworksFor(ctx: Pick<AppContext, 'pool'>, p: Principal, framework?: string): Promise<FrameworkTreeNode[]> {
  requireStaff(p, 'the frameworks are for IOM staff');
  return frameworkTree(ctx, framework);
}

/** The framework nodes as trees (one root per strategic priority, pillar, SDG target or GCM objective without a parent). */
export async function frameworkTree(ctx: Pick<AppContext, 'pool'>, framework?: string): Promise<FrameworkTreeNode[]> {
  const nodes = (await listFrameworkNodes(ctx.pool)).filter((n) => !framework || n.framework === framework);
  const byCode = new Map<string, FrameworkTreeNode>(nodes.map((n) => [n.code, { ...n, children: [] }]));
  const roots: FrameworkTreeNode[] = [];
  for (const n of byCode.values()) {
    const parent = n.parentCode ? byCode.get(n.parentCode) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const order = (list: FrameworkTreeNode[]) => {
    list.sort((a, b) => a.framework.localeCompare(b.framework) || a.code.localeCompare(b.code, 'en', { numeric: true }));
    for (const n of list) order(n.children);
  };
  order(roots);
  return roots;
}

export interface PortfolioByOutput {
  key: string;
  title: string;
  illustrative: boolean;
  projects: Array<{ projectCode: string; projectTitle: string; period: string | null; indicators: number; byStatus: Record<ProgressStatus, number> }>;
}

/** The portfolio turned around: each UNSDCF output with the projects contributing to it and their status ("other" last). */
export function groupByOutput(quality: Map<string, ProjectQuality>, titles: Map<string, string>): PortfolioByOutput[] {
  const groups = new Map<string, PortfolioByOutput>();
  for (const q of quality.values()) {
    for (const o of q.byOutput) {
      let g = groups.get(o.key);
      if (!g) groups.set(o.key, (g = { key: o.key, title: o.key === 'other' ? 'Not linked to a UNSDCF output' : o.title, illustrative: o.illustrative, projects: [] }));
      g.projects.push({ projectCode: q.projectCode, projectTitle: titles.get(q.projectCode) ?? q.projectCode, period: q.period, indicators: o.indicators, byStatus: o.byStatus });
    }
  }
  return [...groups.values()].sort((a, b) => (a.key === 'other' ? 1 : b.key === 'other' ? -1 : a.key.localeCompare(b.key, 'en', { numeric: true })));
}

/** Users with their roles (administrators). */
export async function usersFor(ctx: Pick<AppContext, 'pool'>, p: Principal) {
  requireAdmin(p, 'users and roles');
  return listUsers(ctx.pool);
}
