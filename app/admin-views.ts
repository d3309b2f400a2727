/**
 * What the admin pages, the M&E portfolio's data-quality box and the admin API read and do:
 * each project's latest status by UNSDCF output, data quality (quarantine, missing data, stale
 * sources), donors and agreements, the Temporal Schedules of agreements and sources, the frameworks.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import { groupBy } from '../domain/group-by.js';
import { qualityPeriod } from '../domain/periods.js';
import { computeIndicatorProgress, DEFAULT_THRESHOLDS, emptyStatusCounts, type ProgressStatus } from '../domain/progress.js';
import { contributionOf, frameworkSectionTitle, projectQuartersTo } from '../domain/report-model.js';
import type { CycleState } from '../domain/report-cycle.js';
import type { IndicatorValue } from '../domain/results-framework.js';
import { listDonors, listFrameworkNodes, type DonorRow, type FrameworkNodeRow } from '../db/frameworks-repository.js';
import { getProjectBundles, type ProjectBundle } from '../db/portfolio-repository.js';
import { indicatorsWithoutValueFor, quarantineCountsByProject, sourceRunFacts } from '../db/quality-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { listUsers } from '../db/users-repository.js';
import { can, type Principal } from './auth.js';
import type { AppContext } from './context.js';
import { dataScopeOf, requireAdmin, requireDataDesk } from './data-scope.js';
import { portfolio, requireStaff, type CycleSummary, type PortfolioProject } from './web-views.js';
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

/** The data-quality flags of one project, read for many projects at once (portfolioFlags). */
export type ProjectFlags = Omit<ProjectQuality, 'byOutput'>;

/**
 * The data-quality flags of many projects in a few set-based reads, whatever their number: the
 * quarter checked, rejected rows waiting in the quarantine, indicators without a value for that
 * quarter, stale sources. `projects` are taken as given: the caller has checked who may read them.
 */
export async function portfolioFlags(
  ctx: AppContext, projects: Array<{ code: string; startDate: string; endDate: string }>, opts: { staleDays?: number; now?: string; dbNow?: string } = {},
): Promise<{ now: string; flags: Map<string, ProjectFlags> }> {
  const now = opts.dbNow ?? await databaseNow(ctx.pool);
  const checkedAt = opts.now ?? now;
  const staleMs = (opts.staleDays ?? STALE_SOURCE_DAYS) * 86_400_000;
  const periods = new Map(projects.map((pr) => [pr.code, qualityPeriod(pr, checkedAt)]));
  const checks = [...periods].flatMap(([projectCode, period]) => (period ? [{ projectCode, period }] : []));
  const [quarantine, runs, sources, missing] = await Promise.all([
    quarantineCountsByProject(ctx.pool),
    sourceRunFacts(ctx.pool),
    loadSources(ctx).then((c) => c.sources).catch(() => []), // a broken sources file is reported by `rbm sources`, not here
    indicatorsWithoutValueFor(ctx.pool, checks),
  ]);
  // Every configured source, and every source seen in the gather log (a source removed from the file keeps its history).
  const known = new Map<string, { id: string; kind: string; project: string }>();
  for (const r of runs) known.set(r.sourceId, { id: r.sourceId, kind: r.sourceKind, project: r.projectCode });
  for (const s of sources) known.set(s.id, { id: s.id, kind: s.kind, project: s.project });
  const runOf = new Map(runs.map((r) => [r.sourceId, r]));
  const sourcesOf = groupBy([...known.values()].sort((a, b) => a.id.localeCompare(b.id)), (s) => s.project);

  const flags = new Map<string, ProjectFlags>();
  for (const [code, period] of periods) {
    const staleSources: StaleSource[] = [];
    for (const s of sourcesOf.get(code) ?? []) {
      const run = runOf.get(s.id);
      const reason = run?.lastStatus === 'failed' ? 'failed'
        : !run || (!run.lastSuccessAt && run.lastStatus !== 'running') ? 'never'
          : run.lastSuccessAt && Date.parse(now) - Date.parse(run.lastSuccessAt) > staleMs ? 'old' : null;
      if (reason) staleSources.push({ sourceId: s.id, kind: s.kind, reason, lastSuccessAt: run?.lastSuccessAt ?? null, lastError: run?.lastError ?? null });
    }
    flags.set(code, { projectCode: code, period, quarantined: quarantine.get(code) ?? 0, missing: period ? (missing.get(code) ?? []) : [], staleSources });
  }
  return { now, flags };
}

/**
 * A project's indicators counted by status and grouped by UNSDCF output, exactly as the report model
 * (domain/report-model.ts buildReportModel, grouped by "unsdcf", every indicator shown) lays them out
 * in its sections: the same grouping (contributionOf), titles, order, and each status from
 * domain/progress.ts computeIndicatorProgress, without building the rest of the report.
 */
export function statusByOutput(
  bundle: Pick<ProjectBundle, 'project' | 'results' | 'indicators' | 'frameworkNodes'>, values: IndicatorValue[], period: string,
): OutputStatus[] {
  const quarters = projectQuartersTo(bundle.project, period);
  const periodsToDate = quarters.length ? quarters : [period];
  const resultByCode = new Map(bundle.results.map((r) => [r.code, r]));
  const nodeByCode = new Map(bundle.frameworkNodes.map((n) => [n.code, n]));
  const valuesOf = groupBy(values, (v) => v.indicatorCode);
  const sections = new Map<string, OutputStatus>();
  for (const indicator of bundle.indicators) {
    const result = resultByCode.get(indicator.resultCode);
    if (!result) continue;
    const node = contributionOf(result, 'unsdcf', resultByCode, nodeByCode);
    const key = node ? node.code : 'other';
    let section = sections.get(key);
    if (!section) {
      section = { key, title: node ? frameworkSectionTitle(node) : 'Other project results', illustrative: node?.illustrative ?? false, indicators: 0, byStatus: emptyStatusCounts() };
      sections.set(key, section);
    }
    const { status } = computeIndicatorProgress(indicator, valuesOf.get(indicator.code) ?? [], period, periodsToDate, DEFAULT_THRESHOLDS);
    section.indicators++;
    section.byStatus[status]++;
  }
  return [...sections.values()].sort((a, b) => (a.key === 'other' ? 1 : b.key === 'other' ? -1 : a.key.localeCompare(b.key, 'en', { numeric: true })));
}

/**
 * Status by UNSDCF output of a few projects (a page of the portfolio), each for its quarter checked
 * (null: not started, no status): their bundles and values in a few set-based reads.
 */
async function statusesByOutput(ctx: AppContext, periods: Map<string, string | null>, now: string): Promise<Map<string, OutputStatus[]>> {
  const codes = [...periods].flatMap(([code, period]) => (period ? [code] : []));
  const out = new Map<string, OutputStatus[]>();
  if (!codes.length) return out;
  // Statuses need period totals only: values reduced in the database (domain/rollup-values.ts).
  const [bundles, values] = await Promise.all([getProjectBundles(ctx.pool, codes), readRollupValuesAsOf(ctx.pool, now, codes)]);
  for (const code of codes) {
    const bundle = bundles.get(code);
    if (bundle) out.set(code, statusByOutput(bundle, values.get(code) ?? [], periods.get(code)!));
  }
  return out;
}

/**
 * Per readable project (of those given; unknown codes are left out): its status on current data for
 * the quarter checked, grouped by UNSDCF output (the results' contributions, as the donor templates
 * group them), and its data quality. A few set-based reads for all of them, never one per project.
 */
export async function portfolioQuality(
  ctx: AppContext, p: Principal, projectCodes: string[], opts: { staleDays?: number; /** Which quarter is checked (default: the database's clock). */ now?: string } = {},
): Promise<Map<string, ProjectQuality>> {
  const readable = [...new Set(projectCodes)].filter((c) => can(p, 'read_project', c));
  const [dbNow, projects] = await Promise.all([databaseNow(ctx.pool), projectDates(ctx, readable)]);
  const { now, flags } = await portfolioFlags(ctx, readable.flatMap((c) => projects.get(c) ?? []), { ...opts, dbNow });
  return withStatuses(flags, await statusesByOutput(ctx, periodsOf(flags), now));
}

async function projectDates(ctx: AppContext, codes: string[]): Promise<Map<string, { code: string; startDate: string; endDate: string }>> {
  if (!codes.length) return new Map();
  const { rows } = await ctx.pool.query<{ code: string; start_date: string; end_date: string }>(
    'SELECT code, start_date, end_date FROM projects WHERE code = ANY($1::text[])', [codes],
  );
  return new Map(rows.map((r) => [r.code, { code: r.code, startDate: r.start_date, endDate: r.end_date }]));
}

const periodsOf = (flags: Map<string, ProjectFlags>) => new Map([...flags].map(([code, f]) => [code, f.period]));
const withStatuses = (flags: Map<string, ProjectFlags>, statuses: Map<string, OutputStatus[]>) =>
  new Map([...flags].map(([code, f]) => [code, { ...f, byOutput: statuses.get(code) ?? [] } satisfies ProjectQuality]));

// --- the portfolio page ----------------------------------------------------------------------------

export const PORTFOLIO_PAGE_SIZE = 50;
/** Cycles listed per state below the projects, a page at a time (each state has its own pages). */
export const CYCLES_PER_STATE = 25;
export const PORTFOLIO_SORTS = ['code', 'title', 'issues', 'latest'] as const;
export type PortfolioSort = (typeof PORTFOLIO_SORTS)[number];
/** Data-quality flags a user may filter by ("any": at least one of them). */
export const PORTFOLIO_FLAGS = ['any', 'quarantine', 'missing', 'stale'] as const;
export type PortfolioFlag = (typeof PORTFOLIO_FLAGS)[number];
/** The latest cycle's state a user may filter by ("none": no cycle yet). */
export const LATEST_STATES = ['returned', 'awaiting_approval', 'gathering', 'rendering', 'finalizing', 'delivering', 'completed', 'cancelled', 'none'] as const;
export type LatestState = (typeof LATEST_STATES)[number];

export interface PortfolioQuery {
  /** 1-based; past the last page shows the last. */
  page?: number;
  /** Part of a project's code, other code or title (any case). */
  search?: string;
  state?: LatestState;
  donor?: string;
  flag?: PortfolioFlag;
  sort?: PortfolioSort;
  pageSize?: number;
  /** The state whose list of cycles is paged to `cyclesPage` (the other states show their first page). */
  cyclesState?: CycleState;
  cyclesPage?: number;
  staleDays?: number;
  now?: string;
}

export interface PortfolioPageProject extends PortfolioProject {
  quality: ProjectQuality;
  /** Rejected rows, indicators without a value and stale sources, counted together. */
  issues: number;
}

/** Figures over every project the user may read (not only those matching the filters). */
export interface PortfolioTotals {
  projects: number;
  indicators: number;
  latestByState: Array<{ state: LatestState; projects: number }>;
  overdue: number;
  quarantine: { projects: number; rows: number };
  missing: { projects: number; indicators: number };
  stale: { projects: number; sources: number };
}

export interface PortfolioPageView {
  query: { search: string; state: LatestState | null; donor: string | null; flag: PortfolioFlag | null; sort: PortfolioSort };
  page: number;
  pageCount: number;
  pageSize: number;
  /** Projects matching the filters, and the positions (1-based) of the first and last shown. */
  matching: number;
  first: number;
  last: number;
  projects: PortfolioPageProject[];
  byOutput: PortfolioByOutput[];
  /** Every cycle by state, a page of each: `first`–`last` (1-based) of `count` on page `page` of `pageCount`. */
  byState: Array<{ state: CycleState; count: number; cycles: CycleSummary[]; page: number; pageCount: number; first: number; last: number }>;
  totals: PortfolioTotals;
  donors: string[];
}

/** One page of a state's cycles (past the last page: the last). */
function cyclesPageOf(g: { state: CycleState; cycles: CycleSummary[] }, wanted: number | undefined): PortfolioPageView['byState'][number] {
  const pageCount = Math.max(1, Math.ceil(g.cycles.length / CYCLES_PER_STATE));
  const page = Math.min(Math.max(1, Math.trunc(wanted ?? 1) || 1), pageCount);
  const cycles = g.cycles.slice((page - 1) * CYCLES_PER_STATE, page * CYCLES_PER_STATE);
  const first = cycles.length ? (page - 1) * CYCLES_PER_STATE + 1 : 0;
  return { state: g.state, count: g.cycles.length, cycles, page, pageCount, first, last: first ? first + cycles.length - 1 : 0 };
}

const issuesOf = (f: ProjectFlags) => f.quarantined + f.missing.length + f.staleSources.length;

function sortProjects<T extends PortfolioProject & { issues?: number }>(list: T[], sort: PortfolioSort, byCode: (a: T, b: T) => number): T[] {
  if (sort === 'title') list.sort((a, b) => a.title.localeCompare(b.title, 'en') || byCode(a, b));
  else if (sort === 'issues') list.sort((a, b) => (b.issues ?? 0) - (a.issues ?? 0) || byCode(a, b));
  else if (sort === 'latest') list.sort((a, b) => (b.latest?.period ?? '').localeCompare(a.latest?.period ?? '') || byCode(a, b));
  // "code": as listed (by code).
  return list;
}

/**
 * The M&E portfolio page: every project the user may read (app/web-views.ts portfolio decides which),
 * filtered, sorted and cut into pages; the totals and data-quality flags over all of them from a few
 * set-based reads; the status by UNSDCF output for the page's projects only.
 */
export async function portfolioPage(ctx: AppContext, p: Principal, query: PortfolioQuery = {}): Promise<PortfolioPageView> {
  const [view, dbNow] = await Promise.all([portfolio(ctx, p), databaseNow(ctx.pool)]); // staff only; the readable projects
  const flagsRead = portfolioFlags(ctx, view.projects, { staleDays: query.staleDays, now: query.now, dbNow });
  const checkedAt = query.now ?? dbNow;
  const search = (query.search ?? '').trim().toLowerCase();
  const flag = query.flag ?? null;
  const sort = query.sort ?? 'code';
  const pageSize = Math.max(1, Math.min(query.pageSize ?? PORTFOLIO_PAGE_SIZE, 500));
  const pageOf = <T>(list: T[]) => {
    const pageCount = Math.max(1, Math.ceil(list.length / pageSize));
    const page = Math.min(Math.max(1, Math.trunc(query.page ?? 1) || 1), pageCount);
    return { page, pageCount, shown: list.slice((page - 1) * pageSize, page * pageSize) };
  };
  const matches = (pr: PortfolioProject) =>
    (!search || pr.code.toLowerCase().includes(search) || (pr.altCode ?? '').toLowerCase().includes(search) || pr.title.toLowerCase().includes(search)) &&
    (!query.state || (pr.latest?.state ?? 'none') === query.state) &&
    (!query.donor || pr.donors.includes(query.donor));
  const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const statusesOf = (shown: PortfolioProject[]) =>
    statusesByOutput(ctx, new Map(shown.map((pr) => [pr.code, qualityPeriod(pr, checkedAt)])), dbNow);

  // Without a data-quality filter or sort the page is known already: its statuses are read beside the flags.
  const earlyPage = !flag && sort !== 'issues' ? pageOf(sortProjects(view.projects.filter(matches), sort, byCode)).shown : null;
  const [{ flags }, early] = await Promise.all([flagsRead, earlyPage ? statusesOf(earlyPage) : null]);
  const all = view.projects.map((pr) => {
    const f = flags.get(pr.code)!;
    return { ...pr, flags: f, issues: issuesOf(f) };
  });
  const matching = sortProjects(all.filter((pr) => matches(pr) &&
    (!flag || (flag === 'any' ? pr.issues > 0 : flag === 'quarantine' ? pr.flags.quarantined > 0 : flag === 'missing' ? pr.flags.missing.length > 0 : pr.flags.staleSources.length > 0))), sort, byCode);
  const { page, pageCount, shown } = pageOf(matching);
  const pageFlags = new Map(shown.map((pr) => [pr.code, pr.flags]));
  const sameAsEarly = earlyPage?.length === shown.length && earlyPage.every((pr, i) => pr.code === shown[i]!.code);
  const quality = withStatuses(pageFlags, early && sameAsEarly ? early : await statusesOf(shown));
  const projects: PortfolioPageProject[] = shown.map(({ flags: _f, ...pr }) => ({ ...pr, quality: quality.get(pr.code)! }));

  const latestCount = new Map<LatestState, number>();
  for (const pr of all) latestCount.set(pr.latest?.state ?? 'none', (latestCount.get(pr.latest?.state ?? 'none') ?? 0) + 1);
  const withFlag = (n: (f: ProjectFlags) => number) => ({ projects: all.filter((pr) => n(pr.flags) > 0).length, total: all.reduce((a, pr) => a + n(pr.flags), 0) });
  const q = withFlag((f) => f.quarantined);
  const m = withFlag((f) => f.missing.length);
  const s = withFlag((f) => f.staleSources.length);
  return {
    query: { search: query.search?.trim() ?? '', state: query.state ?? null, donor: query.donor ?? null, flag, sort },
    page, pageCount, pageSize, matching: matching.length,
    first: shown.length ? (page - 1) * pageSize + 1 : 0, last: (page - 1) * pageSize + shown.length,
    projects,
    byOutput: groupByOutput(quality, new Map(shown.map((pr) => [pr.code, pr.title]))),
    byState: view.byState.map((g) => cyclesPageOf(g, g.state === query.cyclesState ? query.cyclesPage : 1)),
    totals: {
      projects: all.length,
      indicators: all.reduce((a, pr) => a + pr.indicatorCount, 0),
      latestByState: LATEST_STATES.filter((st) => latestCount.get(st)).map((st) => ({ state: st, projects: latestCount.get(st)! })),
      overdue: all.filter((pr) => pr.latest?.overdue).length,
      quarantine: { projects: q.projects, rows: q.total },
      missing: { projects: m.projects, indicators: m.total },
      stale: { projects: s.projects, sources: s.total },
    },
    donors: [...new Set(all.flatMap((pr) => pr.donors))].sort(),
  };
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
  // Only the projects the user may read are named beside a node: a project's existence is not told to others.
  const readable = (list: FrameworkTreeNode[]): FrameworkTreeNode[] =>
    list.map((n) => ({ ...n, projects: n.projects.filter((code) => can(p, 'read_project', code)), children: readable(n.children) }));
  return readable(await frameworkTree(ctx, framework));
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
