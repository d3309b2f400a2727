/**
 * Builds a report's files from the database: the project's framework, its values and narrative as of a
 * point in time, the template — then the report model (domain), the narrative partials (templates) and
 * the Excel and PDF (render; the PDF in a worker thread, see render/pdf/pool.ts).
 * Used by the render activity and by `rbm report render` (a preview), so both give the same report.
 *
 * A mission-scope template (the mission overview) rolls every project up instead of reading one.
 */
import { buildReportModel, type ApprovalEntry, type ReportModel, type ReportRevision } from '../domain/report-model.js';
import type { CycleReopening, Decision } from '../domain/report-cycle.js';
import { diffValues } from '../domain/value-diff.js';
import { buildMissionRollup, type MissionOverviewModel, type RollupProjectInput } from '../domain/rollup.js';
import type { FrameworkNode, IndicatorValue } from '../domain/results-framework.js';
import { parsePeriod, periodLabel } from '../domain/periods.js';
import { fileNameComponent } from '../domain/file-names.js';
import { libraryRulesFor, loadCommonIndicatorLibrary } from '../db/common-indicators-repository.js';
import { readNarrativesAsOf } from '../db/narratives-repository.js';
import { getProjectBundle, getProjectBundles, listProjects } from '../db/portfolio-repository.js';
import type { Queryable } from '../db/pool.js';
import { getUserName } from '../db/users-repository.js';
import { readRollupValuesAsOf, readValueProvenanceAsOf, readValuesAsOf } from '../db/values-repository.js';
import { sha256Hex, versionDataAsOf } from '../db/cycles-repository.js';
import { renderMissionWorkbook } from '../render/excel/mission-workbook.js';
import { renderReportWorkbook } from '../render/excel/render-workbook.js';
import { renderPdfOffThread } from '../render/pdf/pool.js';
import { applyNarrativePartials } from '../templates/narrative.js';
import { getTemplate, type TemplateManifest } from '../templates/registry.js';
import { reportRenderSeconds, timed } from '../runtime/metrics.js';

/** The project code of a mission-scope report (file names, cycle ids). */
export const MISSION_PROJECT_CODE = 'MISSION';

export interface ReportRequest {
  /** The project; ignored (use MISSION_PROJECT_CODE) for a mission-scope template. */
  projectCode: string;
  period: string;
  templateId: string;
  dataAsOf: string;
  cycleId: string | null;
  version: number;
  stage: 'preview' | 'draft' | 'final';
  decisions: Decision[];
  generatedAt: string;
  /** A cycle reopened after approval: the report says so and lists what changed since the approved version. */
  revisionOf?: CycleReopening;
}
export interface ReportFiles {
  model: ReportModel | MissionOverviewModel;
  files: Array<{ format: 'xlsx' | 'pdf'; filename: string; content: Buffer }>;
}

/** The file name of a report: each part from data made a safe path component (domain/file-names.ts). */
export function reportFilename(r: Pick<ReportRequest, 'projectCode' | 'period' | 'templateId' | 'version' | 'stage'>, format: 'xlsx' | 'pdf'): string {
  const safe = (s: string) => fileNameComponent(s).replace(/_/g, '-'); // "_" separates the parts
  return fileNameComponent(`${safe(r.projectCode)}_${safe(r.period)}_${safe(r.templateId)}_v${r.version}_${safe(r.stage)}.${format}`);
}

/** The cycle a report belongs to: its own id, or for a preview the id its cycle would have (for its narrative). */
export const narrativeCycleId = (r: Pick<ReportRequest, 'cycleId' | 'projectCode' | 'period' | 'templateId'>): string =>
  r.cycleId ?? `report-cycle/${r.projectCode}/${r.period}/${r.templateId}`;

export async function buildReportModelFromDb(q: Queryable, r: ReportRequest, template: TemplateManifest = getTemplate(r.templateId)): Promise<ReportModel> {
  const bundle = await getProjectBundle(q, r.projectCode);
  const values = await readValuesAsOf(q, r.projectCode, r.dataAsOf);
  const provenance = await readValueProvenanceAsOf(q, r.projectCode, r.dataAsOf);
  const revision = r.revisionOf && r.cycleId ? await revisionSince(q, { ...r, cycleId: r.cycleId }, r.revisionOf, values) : null;
  const narrative = await readNarrativesAsOf(q, narrativeCycleId(r), r.dataAsOf);
  const approvals: ApprovalEntry[] = [];
  for (const d of r.decisions) {
    approvals.push({
      step: d.step, decidedBy: d.by, decidedByName: await getUserName(q, d.by), decision: d.decision === 'approve' ? 'approved' : 'returned',
      decidedAt: d.at, comment: d.comment ?? null, version: d.version,
    });
  }
  const model = buildReportModel({
    project: bundle.project,
    donorNames: bundle.donorNames,
    results: bundle.results,
    indicators: bundle.indicators,
    values,
    frameworkNodes: bundle.frameworkNodes,
    period: r.period,
    template,
    // The same digest the cycle recorded when it gathered these values (activities/index.ts gatherCycleData).
    cycle: { id: r.cycleId, version: r.version, status: r.stage, dataAsOf: r.dataAsOf, dataSha256: sha256Hex(JSON.stringify(values)) },
    approvals,
    narrative,
    generatedAt: r.generatedAt,
    validationRules: [...bundle.validationRules, ...(await libraryRulesFor(q, bundle.indicators))],
    provenance,
    revision,
  });
  return applyNarrativePartials(model, template);
}

/** What changed since the approved version of a reopened cycle: its values then and now, up to the report's period. */
async function revisionSince(q: Queryable, r: ReportRequest & { cycleId: string }, reopening: CycleReopening, now: IndicatorValue[]): Promise<ReportRevision> {
  const approvedAsOf = await versionDataAsOf(q, r.cycleId, reopening.approvedVersion);
  if (!approvedAsOf) return { ...reopening, changes: [] };
  const end = parsePeriod(r.period).end;
  const before = await readValuesAsOf(q, r.projectCode, approvedAsOf);
  return { ...reopening, changes: diffValues(before, now).filter((c) => parsePeriod(c.period).end <= end) };
}

/** Every project rolled up for the period (the mission overview). */
export async function buildMissionModelFromDb(q: Queryable, r: ReportRequest, template: TemplateManifest = getTemplate(r.templateId)): Promise<MissionOverviewModel> {
  const projects: RollupProjectInput[] = [];
  const nodes = new Map<string, FrameworkNode>();
  // Reduced in the database (domain/rollup-values.ts): the roll-up needs period totals, not every cell.
  const values = await readRollupValuesAsOf(q, r.dataAsOf);
  // Every project's bundle in a few set-based reads, whatever their number (never one read per project).
  const codes = (await listProjects(q)).map((p) => p.code);
  const bundles = await getProjectBundles(q, codes);
  for (const code of codes) {
    const bundle = bundles.get(code)!;
    for (const n of bundle.frameworkNodes) nodes.set(n.code, n);
    projects.push({ project: bundle.project, donorNames: bundle.donorNames, results: bundle.results, indicators: bundle.indicators, values: values.get(code) ?? [] });
  }
  const commonIndicators = await loadCommonIndicatorLibrary(q);
  return missionModel(template, buildMissionRollup({ projects, frameworkNodes: [...nodes.values()], period: r.period, commonIndicators }), r);
}

export function missionModel(template: Pick<TemplateManifest, 'id' | 'title' | 'language' | 'sections'>, rollup: MissionOverviewModel['rollup'], r: Pick<ReportRequest, 'period' | 'stage' | 'version' | 'generatedAt' | 'dataAsOf'>): MissionOverviewModel {
  const sections: MissionOverviewModel['sections'] = [];
  for (const s of template.sections) {
    if (s.kind === 'cover') sections.push({ kind: 'cover' });
    else if (s.kind === 'rollup') sections.push({ kind: 'rollup', by: s.by, title: s.title ?? (s.by === 'unsdcf' ? 'By UNSDCF output' : 'By IOM pillar'), newPage: s.newPage });
    else if (s.kind === 'projects') sections.push({ kind: 'projects', title: s.title, newPage: s.newPage });
  }
  return {
    kind: 'mission',
    meta: {
      title: template.title, templateId: template.id, language: template.language, period: rollup.period, periodLabel: periodLabel(rollup.period),
      status: r.stage, version: r.version, generatedAt: r.generatedAt, dataAsOf: r.dataAsOf,
    },
    summary: { indicatorCount: rollup.indicatorCount, byStatus: rollup.byStatus },
    rollup,
    sections,
  };
}

export async function buildReportFiles(q: Queryable, r: ReportRequest): Promise<ReportFiles> {
  const template = getTemplate(r.templateId);
  // Each file's render time (rbm_report_render_duration_seconds), in the process that renders it: the
  // render worker for cycles, the web or CLI process for a preview. The two run at once, each timed alone.
  const time = <T>(format: 'xlsx' | 'pdf', fn: () => Promise<T>) => timed(reportRenderSeconds, { format, stage: r.stage, scope: template.scope }, fn);
  if (template.scope === 'mission') {
    const req = { ...r, projectCode: MISSION_PROJECT_CODE };
    const model = await buildMissionModelFromDb(q, req, template);
    const [xlsx, pdf] = await Promise.all([time('xlsx', () => renderMissionWorkbook(model)), time('pdf', () => renderPdfOffThread({ kind: 'mission', model }))]);
    return {
      model,
      files: [
        { format: 'xlsx', filename: reportFilename(req, 'xlsx'), content: xlsx },
        { format: 'pdf', filename: reportFilename(req, 'pdf'), content: pdf },
      ],
    };
  }
  const model = await buildReportModelFromDb(q, r, template);
  // The PDF is laid out in a worker thread while this thread writes the workbook.
  const [xlsx, pdf] = await Promise.all([time('xlsx', () => renderReportWorkbook(model)), time('pdf', () => renderPdfOffThread({ kind: 'report', model }))]);
  return {
    model,
    files: [
      { format: 'xlsx', filename: reportFilename(r, 'xlsx'), content: xlsx },
      { format: 'pdf', filename: reportFilename(r, 'pdf'), content: pdf },
    ],
  };
}
