/**
 * The demo story: load the portfolio, run one quarterly report cycle per project, approve each draft
 * as its project manager through the workflow's Update (as a user would), and report where the final
 * files were delivered.
 */
import { getProjectBundle, listProjects } from '../db/portfolio-repository.js';
import type { CycleStatus } from '../domain/report-cycle.js';
import { DEFAULT_TEMPLATE_ID } from '../templates/registry.js';
import type { AppContext } from './context.js';
import { cycleResult, decide, startCycle, waitForCycleState, waitForStep } from './cycles.js';
import { loadDemoPortfolio } from './portfolio.js';
import { syncAgreementSchedules } from './agreements.js';
import { deliveredFiles } from './reports.js';

export const DEMO_PERIOD = '2025-Q3';
export const DEMO_DATA_THROUGH = '2025-Q4';

export interface DemoCycleOutcome {
  projectCode: string;
  cycleId: string;
  newlyRun: boolean;
  version: number;
  files: string[];
  donorDeliveries: Array<{ donorCode: string; email: string; state: string }>;
  summary: string;
}

export async function runDemo(ctx: AppContext, print: (line: string) => void, period = DEMO_PERIOD): Promise<DemoCycleOutcome[]> {
  const loaded = await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH);
  print(
    `Demo portfolio: ${loaded.projects} projects, ${loaded.indicators} indicators, ${loaded.users} users; ` +
      `values: ${loaded.values.inserted} new, ${loaded.values.revised} revised, ${loaded.values.unchanged} unchanged`,
  );
  const schedules = await syncAgreementSchedules(ctx);
  print(`Donor agreements and monthly digests: ${schedules.created.length + schedules.updated.length} Temporal Schedules (\`temporal schedule list\`)`);
  const projects = await listProjects(ctx.pool);
  const outcomes = await Promise.all(projects.map((p) => runOneCycle(ctx, p.code, period)));
  for (const o of outcomes) {
    print(`${o.projectCode} ${period}: ${o.summary}${o.newlyRun ? '' : ' (this cycle had run before; not run again)'}`);
    for (const f of o.files) print(`  ${f}`);
    for (const d of o.donorDeliveries) print(`  e-mailed to ${d.donorCode} <${d.email}>: ${d.state}`);
  }
  return outcomes;
}

async function runOneCycle(ctx: AppContext, projectCode: string, period: string): Promise<DemoCycleOutcome> {
  const started = await startCycle(ctx, { projectCode, period, templateId: DEFAULT_TEMPLATE_ID, startedBy: 'me.officer' });
  let status: CycleStatus = await waitForCycleState(ctx, started.cycleId, ['awaiting_approval', 'completed', 'cancelled']);
  // Each step of the chain (project manager, then Chief of Mission) approves the draft, through the
  // workflow's Update as any user would.
  while (status.state === 'awaiting_approval') {
    const step = status.stepIndex ?? 0;
    await decide(ctx, started.cycleId, { decision: 'approve', by: status.approvers[0]!, version: status.version, comment: `Reviewed and approved (${status.stepName ?? 'review'}).` });
    status = await waitForStep(ctx, started.cycleId, status.version, step + 1);
  }
  if (status.state !== 'completed') status = await cycleResult(ctx, started.cycleId);
  const files = status.deliveredTo.length ? status.deliveredTo : (await deliveredFiles(ctx, started.cycleId)).paths;
  const { project } = await getProjectBundle(ctx.pool, projectCode);
  const h = status.finalHeadline;
  const approvers = status.decisions.filter((d) => d.decision === 'approve' && d.version === status.version).map((d) => d.by);
  const summary =
    `"${project.title}" ${status.state === 'completed' ? 'final' : status.state} v${status.version}` +
    (approvers.length ? `, approved by ${approvers.join(' and ')}` : '') +
    (h ? `: ${h.indicatorCount} indicators, ${h.byStatus.on_track} on track, ${h.byStatus.at_risk} at risk, ${h.byStatus.off_track} off track, ${h.byStatus.no_data} without data` : '');
  return { projectCode, cycleId: started.cycleId, newlyRun: started.started, version: status.version, files, donorDeliveries: status.donorDeliveries ?? [], summary };
}
