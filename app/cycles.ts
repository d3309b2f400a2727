/**
 * Report cycle use cases, shared by the CLI and (later) the web: start a cycle, take a decision,
 * read its status and history.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import { parsePeriod, periodWithin } from '../domain/periods.js';
import { isOpen, reportCycleId, type CycleState, type CycleStatus, type DecisionInput } from '../domain/report-cycle.js';
import { ensureCycle, getCycle, listCycleEvents, listCycles, type AuditEvent, type CycleRow } from '../db/cycles-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { usersWithRoleForProject } from '../db/users-repository.js';
import { DEFAULT_TEMPLATE_ID, getTemplate } from '../templates/registry.js';
import { decideUpdate, reportCycleWorkflow, statusQuery } from '../workflows/report-cycle.js';
import type { AppContext } from './context.js';

export interface StartCycleCommand {
  projectCode: string;
  period: string;
  templateId?: string;
  startedBy: string;
}
export interface StartedCycle {
  cycleId: string;
  /** false when the cycle already existed (running: joined; finished: left as it is). */
  started: boolean;
  state: CycleState;
}

export async function startCycle(ctx: AppContext, cmd: StartCycleCommand): Promise<StartedCycle> {
  const period = parsePeriod(cmd.period);
  const template = getTemplate(cmd.templateId ?? DEFAULT_TEMPLATE_ID);
  const { project } = await getProjectBundle(ctx.pool, cmd.projectCode);
  if (!periodWithin(period, project.startDate, project.endDate)) {
    throw new RbmError('invalid_input', `period ${period.id} (${period.start} to ${period.end}) is outside project ${project.code} (${project.startDate} to ${project.endDate})`);
  }
  const approvers = (await usersWithRoleForProject(ctx.pool, 'project_manager', project.code)).map((u) => u.id);
  if (!approvers.length) throw new RbmError('invalid_input', `project ${project.code} has no project manager to approve its reports (see \`rbm users list\`)`);

  const cycleId = reportCycleId(project.code, period.id, template.id);
  const existing = await getCycle(ctx.pool, cycleId);
  if (existing && !isOpen(existing.state)) return { cycleId, started: false, state: existing.state };

  await ensureCycle(ctx.pool, { id: cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy });
  const handle = await ctx.temporal.workflow.start(reportCycleWorkflow, {
    workflowId: cycleId,
    taskQueue: ctx.config.taskQueue,
    args: [{
      cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy, approvers,
      renderTaskQueue: ctx.config.renderTaskQueue,
    }],
    // Starting a cycle that runs joins it; a finished cycle is never started again under the same id.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  const status = await cycleStatus(ctx, handle.workflowId);
  return { cycleId, started: !existing, state: status.state };
}

/** The live state from the workflow; for a finished cycle whose history is gone, from the database. */
export async function cycleStatus(ctx: AppContext, cycleId: string): Promise<CycleStatus> {
  try {
    return await ctx.temporal.workflow.getHandle(cycleId).query(statusQuery);
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
    const row = await getCycle(ctx.pool, cycleId);
    if (!row) throw new RbmError('not_found', `no report cycle ${cycleId} (see \`rbm cycle list\`)`);
    return { cycleId, projectCode: row.projectCode, period: row.period, templateId: row.templateId, state: row.state, version: row.currentVersion, approvers: [], versions: [], decisions: [], final: [], finalHeadline: null, deliveredTo: [] };
  }
}

export async function decide(ctx: AppContext, cycleId: string, input: Omit<DecisionInput, 'version'> & { version?: number }): Promise<CycleStatus> {
  const handle = ctx.temporal.workflow.getHandle(cycleId);
  const version = input.version ?? (await cycleStatus(ctx, cycleId)).version;
  try {
    return await handle.executeUpdate(decideUpdate, { args: [{ ...input, version }] });
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new RbmError('refused', e.cause?.message ?? e.message);
    if (e instanceof WorkflowNotFoundError) {
      const row = await getCycle(ctx.pool, cycleId);
      if (row) throw new RbmError('refused', `cycle ${cycleId} is ${row.state}: it takes no more decisions`);
      throw new RbmError('not_found', `no report cycle ${cycleId} (see \`rbm cycle list\`)`);
    }
    throw e;
  }
}

/** Polls the cycle's state until it is one of `states` (a human step, or done). */
export async function waitForCycleState(ctx: AppContext, cycleId: string, states: CycleState[], timeoutMs = 120_000): Promise<CycleStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await cycleStatus(ctx, cycleId);
    if (states.includes(status.state)) return status;
    if (Date.now() > deadline) throw new RbmError('internal', `cycle ${cycleId} is still ${status.state} after ${timeoutMs / 1000} s: is a worker running?`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function cycleResult(ctx: AppContext, cycleId: string): Promise<CycleStatus> {
  return ctx.temporal.workflow.getHandle(cycleId).result();
}

export const listReportCycles = (ctx: Pick<AppContext, 'pool'>, filter: { state?: string; projectCode?: string }): Promise<CycleRow[]> => listCycles(ctx.pool, filter);
export const cycleHistory = (ctx: Pick<AppContext, 'pool'>, cycleId: string): Promise<AuditEvent[]> => listCycleEvents(ctx.pool, cycleId);
