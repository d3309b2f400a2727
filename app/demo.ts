/**
 * The demo story: load the portfolio, run one quarterly report cycle per project, approve each draft
 * as its project manager through the workflow's Update (as a user would), and report where the final
 * files were delivered.
 */
import { getProjectBundle } from '../db/portfolio-repository.js';
import { listProjects } from '../db/portfolio-repository.js';
import type { CycleStatus } from '../domain/report-cycle.js';
import { DEFAULT_TEMPLATE_ID } from '../templates/registry.js';
import type { AppContext } from './context.js';
import { cycleResult, decide, startCycle, waitForCycleState } from './cycles.js';
import { loadDemoPortfolio } from './portfolio.js';
import { deliveredFiles } from './reports.js';

export const DEMO_PERIOD = '2025-Q3';
export const DEMO_DATA_THROUGH = '2025-Q4';

export interface DemoCycleOutcome {
  projectCode: string;
  cycleId: string;
  newlyRun: boolean;
  version: number;
  files: string[];
  summary: string;
}

export async function runDemo(ctx: AppContext, print: (line: string) => void, period = DEMO_PERIOD): Promise<DemoCycleOutcome[]> {
  const loaded = await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH);
  print(
    `Demo portfolio: ${loaded.projects} projects, ${loaded.indicators} indicators, ${loaded.users} users; ` +
      `values: ${loaded.values.inserted} new, ${loaded.values.revised} revised, ${loaded.values.unchanged} unchanged`,
  );
  const projects = await listProjects(ctx.pool);
  const outcomes = await Promise.all(projects.map((p) => runOneCycle(ctx, p.code, period)));
  for (const o of outcomes) {
    print(`${o.projectCode} ${period}: ${o.summary}${o.newlyRun ? '' : ' (already final; not run again)'}`);
    for (const f of o.files) print(`  ${f}`);
  }
  return outcomes;
}

async function runOneCycle(ctx: AppContext, projectCode: string, period: string): Promise<DemoCycleOutcome> {
  const started = await startCycle(ctx, { projectCode, period, templateId: DEFAULT_TEMPLATE_ID, startedBy: 'me.officer' });
  if (!started.started && started.state === 'completed') {
    const files = await deliveredFiles(ctx, started.cycleId);
    return { projectCode, cycleId: started.cycleId, newlyRun: false, version: files.version, files: files.paths, summary: `final v${files.version}` };
  }
  const waiting = await waitForCycleState(ctx, started.cycleId, ['awaiting_approval', 'completed', 'cancelled']);
  let final: CycleStatus = waiting;
  if (waiting.state === 'awaiting_approval') {
    const manager = waiting.approvers[0]!;
    await decide(ctx, started.cycleId, { decision: 'approve', by: manager, version: waiting.version, comment: 'Reviewed and approved for submission to the donor.' });
  }
  if (final.state !== 'completed') final = await cycleResult(ctx, started.cycleId);
  const { project } = await getProjectBundle(ctx.pool, projectCode);
  const h = final.finalHeadline;
  const approver = final.decisions.at(-1)?.by ?? '';
  const summary = h
    ? `"${project.title}" final v${final.version}, approved by ${approver}: ${h.indicatorCount} indicators, ${h.byStatus.on_track} on track, ${h.byStatus.at_risk} at risk, ${h.byStatus.off_track} off track, ${h.byStatus.no_data} without data`
    : `final v${final.version}`;
  return { projectCode, cycleId: started.cycleId, newlyRun: true, version: final.version, files: final.deliveredTo, summary };
}
