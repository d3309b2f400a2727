/**
 * Builds a report's files from the database: the project's framework, its values as of a point in
 * time, the template — then the report model (domain) and the Excel and PDF (render).
 * Used by the render activity and by `rbm report render` (a preview), so both give the same report.
 */
import { buildReportModel, type ApprovalEntry, type ReportModel } from '../domain/report-model.js';
import type { Decision } from '../domain/report-cycle.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import type { Queryable } from '../db/pool.js';
import { getUserName } from '../db/users-repository.js';
import { readValuesAsOf } from '../db/values-repository.js';
import { renderReportPdf } from '../render/pdf/render-pdf.js';
import { renderReportWorkbook } from '../render/excel/render-workbook.js';
import { getTemplate } from '../templates/registry.js';

export interface ReportRequest {
  projectCode: string;
  period: string;
  templateId: string;
  dataAsOf: string;
  cycleId: string | null;
  version: number;
  stage: 'preview' | 'draft' | 'final';
  decisions: Decision[];
  generatedAt: string;
}
export interface ReportFiles {
  model: ReportModel;
  files: Array<{ format: 'xlsx' | 'pdf'; filename: string; content: Buffer }>;
}

export function reportFilename(r: Pick<ReportRequest, 'projectCode' | 'period' | 'templateId' | 'version' | 'stage'>, format: 'xlsx' | 'pdf'): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `${safe(r.projectCode)}_${safe(r.period)}_${safe(r.templateId)}_v${r.version}_${r.stage}.${format}`;
}

export async function buildReportModelFromDb(q: Queryable, r: ReportRequest): Promise<ReportModel> {
  const template = getTemplate(r.templateId);
  const bundle = await getProjectBundle(q, r.projectCode);
  const values = await readValuesAsOf(q, r.projectCode, r.dataAsOf);
  const approvals: ApprovalEntry[] = [];
  for (const d of r.decisions) {
    approvals.push({
      step: d.step, decidedBy: d.by, decidedByName: await getUserName(q, d.by), decision: d.decision === 'approve' ? 'approved' : 'returned',
      decidedAt: d.at, comment: d.comment ?? null, version: d.version,
    });
  }
  return buildReportModel({
    project: bundle.project,
    donorNames: bundle.donorNames,
    results: bundle.results,
    indicators: bundle.indicators,
    values,
    frameworkNodes: bundle.frameworkNodes,
    period: r.period,
    template: { id: template.id, title: template.title, language: template.language, groupBy: template.groupBy },
    cycle: { id: r.cycleId, version: r.version, status: r.stage, dataAsOf: r.dataAsOf },
    approvals,
    generatedAt: r.generatedAt,
  });
}

export async function buildReportFiles(q: Queryable, r: ReportRequest): Promise<ReportFiles> {
  const model = await buildReportModelFromDb(q, r);
  const [xlsx, pdf] = await Promise.all([renderReportWorkbook(model), renderReportPdf(model)]);
  return {
    model,
    files: [
      { format: 'xlsx', filename: reportFilename(r, 'xlsx'), content: xlsx },
      { format: 'pdf', filename: reportFilename(r, 'pdf'), content: pdf },
    ],
  };
}
