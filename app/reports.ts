/** Report use cases: preview a report without a workflow, find the files a cycle delivered. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildReportFiles } from '../activities/report-files.js';
import { databaseNow } from '../db/values-repository.js';
import { lastDelivery } from '../db/cycles-repository.js';
import { parsePeriod } from '../domain/periods.js';
import { DEFAULT_TEMPLATE_ID } from '../templates/registry.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

/** `rbm report render`: the same code the workflow uses, on the data as it stands now. */
export async function renderPreview(ctx: DbContext, r: { projectCode: string; period: string; templateId?: string; outDir: string }): Promise<string[]> {
  const dataAsOf = await databaseNow(ctx.pool);
  const { files } = await buildReportFiles(ctx.pool, {
    projectCode: r.projectCode, period: parsePeriod(r.period).id, templateId: r.templateId ?? DEFAULT_TEMPLATE_ID, dataAsOf,
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

/** Where a completed cycle's final files were delivered (from the deliveries record). */
export async function deliveredFiles(ctx: DbContext, cycleId: string): Promise<{ version: number; paths: string[] }> {
  const last = await lastDelivery(ctx.pool, cycleId, 'outbox');
  return { version: last?.version ?? 0, paths: (last?.detail.paths as string[] | undefined) ?? [] };
}
