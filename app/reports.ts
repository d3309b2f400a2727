/** Report use cases: preview a report without a workflow, write a cycle's narrative, find delivered files. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildReportFiles, MISSION_PROJECT_CODE, narrativeCycleId } from '../activities/report-files.js';
import { databaseNow } from '../db/values-repository.js';
import { lastDelivery } from '../db/cycles-repository.js';
import { saveNarrative } from '../db/narratives-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { RbmError } from '../domain/errors.js';
import { parsePeriod } from '../domain/periods.js';
import { DEFAULT_TEMPLATE_ID, getTemplate } from '../templates/registry.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

/**
 * `rbm report render`: the same code the workflow uses, on the data as it stands now. A project
 * template needs `projectCode`; a mission-scope template (the mission overview) takes every project.
 */
export async function renderPreview(ctx: DbContext, r: { projectCode?: string; period: string; templateId?: string; outDir: string }): Promise<string[]> {
  const template = getTemplate(r.templateId ?? DEFAULT_TEMPLATE_ID);
  if (template.scope === 'project' && !r.projectCode) throw new RbmError('invalid_input', `template "${template.id}" reports on one project: give --project CODE`);
  const dataAsOf = await databaseNow(ctx.pool);
  const { files } = await buildReportFiles(ctx.pool, {
    projectCode: template.scope === 'mission' ? MISSION_PROJECT_CODE : r.projectCode!, period: parsePeriod(r.period).id, templateId: template.id, dataAsOf,
    cycleId: null, version: 0, stage: 'preview', decisions: [], generatedAt: new Date().toISOString(),
  });
  await fs.mkdir(r.outDir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const p = path.join(r.outDir, f.filename);
    await fs.writeFile(p, f.content);
    paths.push(p);
  }
  return paths;
}

/**
 * Writes the narrative of one section of a report cycle (M&E officer). The text is data: it is stored
 * and printed as typed, never interpreted. Keyed by the cycle's business key, so it can be written
 * before the cycle starts; a report reads it as of its version's data time.
 */
export async function writeNarrative(
  ctx: DbContext,
  n: { projectCode: string; period: string; templateId?: string; sectionKey: string; text: string; by: string },
): Promise<{ cycleId: string; outcome: 'inserted' | 'revised' | 'unchanged' }> {
  const template = getTemplate(n.templateId ?? DEFAULT_TEMPLATE_ID);
  await getProjectBundle(ctx.pool, n.projectCode); // not_found for an unknown project
  const cycleId = narrativeCycleId({ cycleId: null, projectCode: n.projectCode, period: parsePeriod(n.period).id, templateId: template.id });
  const outcome = await saveNarrative(ctx.pool, { cycleId, sectionKey: n.sectionKey, body: n.text, writtenBy: n.by });
  return { cycleId, outcome };
}

/** Where a completed cycle's final files were delivered (from the deliveries record). */
export async function deliveredFiles(ctx: DbContext, cycleId: string): Promise<{ version: number; paths: string[] }> {
  const last = await lastDelivery(ctx.pool, cycleId, 'outbox');
  return { version: last?.version ?? 0, paths: (last?.detail.paths as string[] | undefined) ?? [] };
}
