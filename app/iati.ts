/**
 * IATI export use case: one project, or all, with their current values and the final files of their
 * completed report cycles -> one IATI 2.03 activity file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { findArtifacts, listCycles } from '../db/cycles-repository.js';
import type { Queryable } from '../db/pool.js';
import { getProjectBundle, listProjects } from '../db/portfolio-repository.js';
import { databaseNow, readValuesAsOf } from '../db/values-repository.js';
import { RbmError } from '../domain/errors.js';
import { comparePeriods } from '../domain/periods.js';
import type { ActivityInput, ApprovedReport, ExportCounts } from '../iati/activity-input.js';
import { buildIatiActivities } from '../iati/export.js';
import { loadTemplates } from '../templates/registry.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface IatiExportRequest {
  /** Project codes, or 'all' for every project. */
  projects: string[] | 'all';
  /** Where RBM Flow's portal serves approved reports: links are `<baseUrl>/reports/<artifact id>`. */
  baseUrl: string;
}
export interface IatiExport {
  xml: string;
  projectCodes: string[];
  dataAsOf: string;
  counts: ExportCounts;
}

/** The IATI XML of the requested projects, on the data as it stands now. */
export async function buildIatiExport(ctx: DbContext, r: IatiExportRequest): Promise<IatiExport> {
  const projectCodes = r.projects === 'all' ? (await listProjects(ctx.pool)).map((p) => p.code) : r.projects;
  if (!projectCodes.length) throw new RbmError('not_found', 'no projects to export (load some with `rbm portfolio load-demo`)');
  const dataAsOf = await databaseNow(ctx.pool);
  const activities: ActivityInput[] = [];
  for (const code of projectCodes) activities.push(await activityInput(ctx.pool, code, dataAsOf));
  const { xml, counts } = buildIatiActivities(activities, { generatedAt: new Date().toISOString(), baseUrl: r.baseUrl });
  return { xml, projectCodes, dataAsOf, counts };
}

/** `rbm export iati`: writes the file (replacing it whole, never half-written) and says what it holds. */
export async function exportIatiFile(ctx: DbContext, r: IatiExportRequest & { outFile: string }): Promise<Omit<IatiExport, 'xml'> & { file: string }> {
  const { xml, ...summary } = await buildIatiExport(ctx, r);
  const file = path.resolve(r.outFile);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, xml, 'utf8');
  await fs.rename(partial, file);
  return { ...summary, file };
}

export async function activityInput(q: Queryable, projectCode: string, dataAsOf: string): Promise<ActivityInput> {
  const bundle = await getProjectBundle(q, projectCode);
  return { ...bundle, values: await readValuesAsOf(q, projectCode, dataAsOf), reports: await approvedReports(q, projectCode) };
}

/** The final files (PDF, Excel) of the project's completed report cycles, oldest period first. */
export async function approvedReports(q: Queryable, projectCode: string): Promise<ApprovedReport[]> {
  const languageOf = new Map(loadTemplates().map((t) => [t.id, t.language]));
  const reports: ApprovedReport[] = [];
  for (const cycle of await listCycles(q, { state: 'completed', projectCode })) {
    for (const file of await findArtifacts(q, cycle.id, cycle.currentVersion, 'final')) {
      reports.push({
        artifactId: file.id,
        format: file.format,
        period: cycle.period,
        version: cycle.currentVersion,
        approvedOn: cycle.updatedAt.slice(0, 10),
        language: (languageOf.get(cycle.templateId) ?? 'en').slice(0, 2).toLowerCase(), // ISO 639-1, as IATI's Language codelist
      });
    }
  }
  return reports.sort((a, b) => comparePeriods(a.period, b.period) || a.version - b.version || a.format.localeCompare(b.format) || a.artifactId.localeCompare(b.artifactId));
}
