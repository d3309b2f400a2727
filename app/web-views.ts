/**
 * What the web pages and the API read, already filtered by what the signed-in user may see:
 * the approval inbox, the M&E portfolio, a cycle's page, the donor's reports.
 */
import { diffValues, type ValueChange } from '../domain/value-diff.js';
import { readValuesAsOf } from '../db/values-repository.js';
import { RbmError } from '../domain/errors.js';
import { isOpen, type ArtifactRef, type CycleState, type CycleStatus } from '../domain/report-cycle.js';
import { finalReports, fundingOf, getArtifactInfo, type ArtifactInfo, type FinalReportRow } from '../db/auth-repository.js';
import { findArtifacts, getCycle, listCycleEvents, listCycles, readArtifact, type AuditEvent, type CycleRow } from '../db/cycles-repository.js';
import { listAgreements } from '../db/agreements-repository.js';
import { getProjectBundle, listProjects, type ProjectSummary } from '../db/portfolio-repository.js';
import { donorMayReceive, type ReportFileFacts } from '../domain/donor-access.js';
import { can, hasRole, isInternal, type Principal } from './auth.js';
import { cycleStatus } from './cycles.js';
import type { AppContext } from './context.js';
import { buildReportModelFromDb } from '../activities/report-files.js';
import type { ProgressStatus } from '../domain/progress.js';
import { formatFigure } from '../domain/value-history.js';
import { mapConcurrently } from './concurrency.js';

export interface CycleSummary extends CycleRow {
  projectTitle: string;
  dueDate: string | null;
  overdue: boolean;
  stepName: string | null;
  approvers: string[];
}

const STATE_ORDER: CycleState[] = ['returned', 'awaiting_approval', 'gathering', 'rendering', 'finalizing', 'delivering', 'completed', 'cancelled'];

/** Live status of many cycles, a few at a time; a cycle whose workflow is unreachable keeps its row. */
async function summaries(ctx: AppContext, rows: CycleRow[], titles: Map<string, string>): Promise<CycleSummary[]> {
  const out = await mapConcurrently(rows, 4, async (row): Promise<CycleSummary> => {
    // Closed cycles: the row says it all. Open ones: the live status, if a worker answers soon.
    const status = isOpen(row.state) ? await liveStatus(ctx, row.id) : undefined;
    return {
      ...row,
      state: status?.state ?? row.state,
      currentVersion: status?.version ?? row.currentVersion,
      projectTitle: titles.get(row.projectCode) ?? row.projectCode,
      dueDate: status?.dueDate ?? null,
      overdue: Boolean(status?.overdue) && isOpen(status!.state),
      stepName: status && status.state === 'awaiting_approval' ? (status.stepName ?? null) : null,
      approvers: status && status.state === 'awaiting_approval' ? status.approvers : [],
    };
  });
  return out.sort((a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.id.localeCompare(b.id));
}

/** The workflow's status, or undefined when no worker answers the query within `ms` (a list stays fast). */
async function liveStatus(ctx: AppContext, cycleId: string, ms = 3000): Promise<CycleStatus | undefined> {
  try {
    return await ctx.temporal.connection.withDeadline(Date.now() + ms, () => cycleStatus(ctx, cycleId));
  } catch {
    return undefined;
  }
}

async function projectTitles(ctx: AppContext): Promise<{ projects: ProjectSummary[]; titles: Map<string, string> }> {
  const projects = await listProjects(ctx.pool);
  return { projects, titles: new Map(projects.map((p) => [p.code, p.title])) };
}

/** IOM staff only (any internal role); donors and others get a 403 that says `what`. */
export function requireStaff(p: Principal, what: string): void {
  if (!isInternal(p)) throw new RbmError('refused', what, { status: 403 });
}

/** Drafts waiting for this user's decision (the user is an approver of the open step); for managers and approvers. */
export async function inbox(ctx: AppContext, p: Principal): Promise<CycleSummary[]> {
  if (!hasRole(p, 'project_manager', 'approver')) throw new RbmError('refused', 'the approval inbox is for project managers and approvers', { status: 403 });
  const { titles } = await projectTitles(ctx);
  const rows = (await listCycles(ctx.pool, { state: 'awaiting_approval' })).filter((c) => can(p, 'decide', c.projectCode));
  return (await summaries(ctx, rows, titles)).filter((c) => c.state === 'awaiting_approval' && c.approvers.includes(p.userId));
}

export interface PortfolioProject extends ProjectSummary {
  latest: CycleSummary | null;
  mayStart: boolean;
}
export interface PortfolioView {
  projects: PortfolioProject[];
  byState: Array<{ state: CycleState; cycles: CycleSummary[] }>;
}

/** The M&E portfolio: each readable project with its latest cycle, and the cycles grouped by state. */
export async function portfolio(ctx: AppContext, p: Principal, filter: { projectCode?: string; state?: string } = {}): Promise<PortfolioView> {
  requireStaff(p, 'the portfolio and its cycles are for IOM staff');
  const { projects, titles } = await projectTitles(ctx);
  const readable = projects.filter((pr) => can(p, 'read_project', pr.code) && (!filter.projectCode || pr.code === filter.projectCode));
  const codes = new Set(readable.map((pr) => pr.code));
  const rows = (await listCycles(ctx.pool, { state: filter.state, projectCode: filter.projectCode })).filter((c) => codes.has(c.projectCode));
  const cycles = await summaries(ctx, rows, titles);
  const latest = new Map<string, CycleSummary>();
  for (const c of cycles) {
    const cur = latest.get(c.projectCode);
    if (!cur || c.period > cur.period || (c.period === cur.period && c.startedAt > cur.startedAt)) latest.set(c.projectCode, c);
  }
  return {
    projects: readable.map((pr) => ({ ...pr, latest: latest.get(pr.code) ?? null, mayStart: can(p, 'start_cycle', pr.code) })),
    byState: STATE_ORDER.map((state) => ({ state, cycles: cycles.filter((c) => c.state === state) })).filter((g) => g.cycles.length),
  };
}

/** What changed between two versions' headline figures (the "since the last version" box). */
export interface VersionChange {
  from: number;
  to: number;
  dataChanged: boolean;
  rows: Array<{ label: string; before: number; after: number; delta: number }>;
  /** The data cells that changed (added, corrected, removed), at most MAX_VALUE_CHANGES of them. */
  values: ValueChange[];
  moreValues: number;
}

const MAX_VALUE_CHANGES = 200;

/** The headline changes plus every data cell that differs between the two versions' data. */
async function versionChangeWithValues(ctx: AppContext, status: CycleStatus): Promise<VersionChange | null> {
  const change = versionChange(status);
  if (!change || !change.dataChanged) return change;
  const prev = status.versions.find((v) => v.version === change.from)!;
  const cur = status.versions.find((v) => v.version === change.to)!;
  const [before, after] = await Promise.all([readValuesAsOf(ctx.pool, status.projectCode, prev.dataAsOf), readValuesAsOf(ctx.pool, status.projectCode, cur.dataAsOf)]);
  const all = diffValues(before, after);
  return { ...change, values: all.slice(0, MAX_VALUE_CHANGES), moreValues: Math.max(0, all.length - MAX_VALUE_CHANGES) };
}

const HEADLINE_LABELS: Record<string, string> = { on_track: 'On track', at_risk: 'At risk', off_track: 'Off track', no_target: 'Without a target', no_data: 'No data', reported: 'Reported (qualitative)' };

export function versionChange(status: CycleStatus): VersionChange | null {
  const cur = status.versions.find((v) => v.version === status.version);
  const prev = status.versions.filter((v) => v.version < status.version).at(-1);
  if (!cur || !prev) return null;
  const rows = [{ label: 'Values read', before: prev.valueCount, after: cur.valueCount, delta: cur.valueCount - prev.valueCount }];
  for (const [k, label] of Object.entries(HEADLINE_LABELS)) {
    const before = prev.headline.byStatus[k as keyof typeof prev.headline.byStatus] ?? 0;
    const after = cur.headline.byStatus[k as keyof typeof cur.headline.byStatus] ?? 0;
    if (before || after) rows.push({ label: `Indicators ${label.toLowerCase()}`, before, after, delta: after - before });
  }
  return { from: prev.version, to: cur.version, dataChanged: prev.dataSha256 !== cur.dataSha256, rows, values: [], moreValues: 0 };
}

export interface CycleView {
  status: CycleStatus;
  row: CycleRow;
  projectTitle: string;
  history: AuditEvent[];
  draft: ArtifactRef[];
  final: ArtifactRef[];
  may: { decide: boolean; resubmit: boolean; cancel: boolean; readDraft: boolean };
  changes: VersionChange | null;
  /** Data-quality warnings on the current version's data, each beside the figure it concerns. */
  quality: QualityLine[];
}

export interface QualityLine {
  kind: 'rule' | 'outlier';
  indicatorCode: string;
  title: string;
  period: string;
  /** The indicator's period figure and status in this version, as the report shows them. */
  figure: string;
  status: ProgressStatus;
  message: string;
}

/** The warnings of a version's report model (rules broken, outliers) with the figures they concern. */
async function qualityOf(ctx: AppContext, status: CycleStatus, dataAsOf: string | undefined): Promise<QualityLine[]> {
  if (!dataAsOf) return [];
  const model = await buildReportModelFromDb(ctx.pool, {
    projectCode: status.projectCode, period: status.period, templateId: status.templateId, dataAsOf, cycleId: status.cycleId,
    version: status.version, stage: 'draft', decisions: [], generatedAt: new Date().toISOString(),
  });
  const rows = new Map(model.sections.flatMap((s) => s.rows).map((r) => [r.indicatorCode, r]));
  return model.dataQuality.map((w) => {
    const r = rows.get(w.indicatorCode);
    return {
      kind: w.kind, indicatorCode: w.indicatorCode, title: r?.title ?? '', period: w.period, message: w.message,
      figure: r ? formatFigure(r.periodActual, r.type) : '—', status: r?.status ?? 'no_data',
    };
  });
}

/** A cycle as staff see it; a donor or a user of another project gets "not found". */
export async function cycleView(ctx: AppContext, p: Principal, cycleId: string): Promise<CycleView> {
  const row = await getCycle(ctx.pool, cycleId);
  if (!row || !can(p, 'read_project', row.projectCode)) throw new RbmError('not_found', `no report cycle ${cycleId}`);
  const status: CycleStatus = (await liveStatus(ctx, cycleId, 10_000)) ?? {
    // No worker answered: what the database knows (decisions are in the audit trail below).
    cycleId, projectCode: row.projectCode, period: row.period, templateId: row.templateId, state: row.state, version: row.currentVersion,
    approvers: [], versions: [], decisions: [], final: [], finalHeadline: null, deliveredTo: [],
  };
  const { titles } = await projectTitles(ctx);
  const current = status.versions.find((v) => v.version === status.version);
  const draft = current?.draft ?? (status.version ? await findArtifacts(ctx.pool, cycleId, status.version, 'draft') : []);
  const final = status.final.length ? status.final : await findArtifacts(ctx.pool, cycleId, status.version, 'final');
  return {
    status, row, projectTitle: titles.get(row.projectCode) ?? row.projectCode,
    history: await listCycleEvents(ctx.pool, cycleId),
    draft, final: status.state === 'completed' || status.state === 'delivering' ? final : [],
    changes: await versionChangeWithValues(ctx, status),
    quality: can(p, 'read_draft', row.projectCode) ? await qualityOf(ctx, status, current?.dataAsOf) : [],
    may: {
      decide: status.state === 'awaiting_approval' && status.approvers.includes(p.userId) && can(p, 'decide', row.projectCode),
      resubmit: status.state === 'returned' && can(p, 'resubmit', row.projectCode),
      cancel: isOpen(status.state) && can(p, 'cancel', row.projectCode),
      readDraft: can(p, 'read_draft', row.projectCode),
    },
  };
}

/**
 * What a donor contact may receive, by the one rule of domain/donor-access.ts: the templates (and
 * formats) its donors' agreements cover, for projects they fund. Staff are not asked this.
 */
async function donorRule(ctx: Pick<AppContext, 'pool'>, p: Principal): Promise<(f: ReportFileFacts) => boolean> {
  const donorCodes = p.roles.filter((g) => g.role === 'donor_contact' && g.donorCode).map((g) => g.donorCode!);
  if (!donorCodes.length) return () => false;
  const agreements = (await listAgreements(ctx.pool)).filter((a) => donorCodes.includes(a.donorCode));
  const funding = await fundingOf(ctx.pool, donorCodes);
  return (f) => donorMayReceive(funding, agreements, f);
}

/**
 * The approved final reports the user may download: staff, those of the projects they may read; a
 * donor, only the templates and formats its agreements cover (the portal, the API and the e-mails agree).
 */
export async function donorReports(ctx: AppContext, p: Principal): Promise<FinalReportRow[]> {
  const { projects } = await projectTitles(ctx);
  if (isInternal(p)) return finalReports(ctx.pool, projects.map((pr) => pr.code).filter((c) => can(p, 'read_final', c)));
  const reports = await finalReports(ctx.pool, projects.map((pr) => pr.code).filter((c) => p.donorProjects.includes(c)));
  if (!reports.length) return [];
  const templateOf = new Map((await listCycles(ctx.pool, { state: 'completed' })).map((c) => [c.id, c.templateId]));
  const may = await donorRule(ctx, p);
  return reports
    .map((r) => ({ ...r, files: r.files.filter((f) => may({ projectCode: r.projectCode, templateId: templateOf.get(r.cycleId) ?? '', format: f.format })) }))
    .filter((r) => r.files.length);
}

/**
 * An artifact's bytes when the user may have them: drafts for staff of the project; finals of a
 * completed cycle also for its donors. Anything else is "not found", so ids cannot be probed.
 */
export async function artifactFor(ctx: AppContext, p: Principal, id: string): Promise<{ info: ArtifactInfo; content: Buffer }> {
  const notFound = new RbmError('not_found', `no file ${id}`);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound;
  const info = await getArtifactInfo(ctx.pool, id);
  if (!info) throw notFound;
  let allowed = false;
  if (info.stage === 'preview' || !info.projectCode) allowed = p.roles.some((g) => g.role === 'admin' || g.role === 'me_officer');
  else if (info.stage === 'draft') allowed = can(p, 'read_draft', info.projectCode);
  else if (can(p, 'read_draft', info.projectCode)) allowed = true; // staff of the project
  else if (info.cycleState === 'completed' && info.cycleId) {
    // A donor: a final file its agreements cover.
    const cycle = await getCycle(ctx.pool, info.cycleId);
    allowed = Boolean(cycle) && (await donorRule(ctx, p))({ projectCode: info.projectCode, templateId: cycle!.templateId, format: info.format });
  }
  if (!allowed) throw notFound;
  const file = await readArtifact(ctx.pool, id);
  if (!file) throw notFound;
  return { info, content: file.content };
}

// --- projects, for the API ------------------------------------------------------------------------

/** A project with its results framework, for staff who may read it (else 404: its existence is not told). */
export async function projectFor(ctx: Pick<AppContext, 'pool'>, p: Principal, code: string) {
  requireProjectReader(p, code);
  const b = await getProjectBundle(ctx.pool, code);
  return { project: b.project, donorNames: b.donorNames, results: b.results, frameworkNodes: b.frameworkNodes, indicatorCount: b.indicators.length };
}

/** Staff only (403 for others); a project the user may not read is "not found", like an unknown one. */
export function requireProjectReader(p: Principal, code: string): void {
  requireStaff(p, 'projects are for IOM staff');
  if (!can(p, 'read_project', code)) throw new RbmError('not_found', `There is no project ${code}, or you may not see it.`);
}

/** Makes sure the project exists (404 otherwise) for a reader of it. */
export async function checkProjectFor(ctx: Pick<AppContext, 'pool'>, p: Principal, code: string): Promise<void> {
  requireProjectReader(p, code);
  await getProjectBundle(ctx.pool, code);
}

/** The projects the user may read (staff; 403 for others). */
export async function projectsFor(ctx: Pick<AppContext, 'pool'>, p: Principal): Promise<ProjectSummary[]> {
  requireStaff(p, 'projects are for IOM staff');
  return (await listProjects(ctx.pool)).filter((pr) => can(p, 'read_project', pr.code));
}
