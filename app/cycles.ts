/**
 * Report cycle use cases, shared by the CLI and (later) the web: start a cycle, take a decision,
 * read its status and history.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import { parsePeriod, periodWithin } from '../domain/periods.js';
import {
  DEFAULT_TIMING,
  isOpen,
  reportCycleId,
  type ApprovalStep,
  type ApprovalTiming,
  type CancelInput,
  type CycleState,
  type CycleStatus,
  type DecisionInput,
  type ResubmitInput,
} from '../domain/report-cycle.js';
import { ensureCycle, getCycle, listCycleEvents, listCycles, type AuditEvent, type CycleRow } from '../db/cycles-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { usersWithRoleForProject } from '../db/users-repository.js';
import { DEFAULT_TEMPLATE_ID, getTemplate, type TemplateManifest } from '../templates/registry.js';
import { cancelUpdate, decideUpdate, reportCycleWorkflow, resubmitUpdate, statusQuery } from '../workflows/report-cycle.js';
import type { AppContext } from './context.js';

export interface StartCycleCommand {
  projectCode: string;
  period: string;
  templateId?: string;
  startedBy: string;
  /** ISO date; default: 30 days after the period ends. */
  dueDate?: string;
  /** Reminder and escalation delays; default: 3 days, then every 2 days; escalation after 7 days. */
  timing?: Partial<ApprovalTiming>;
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
  const chain = await resolveApprovalChain(ctx, template, project.code);
  const meOfficers = (await usersWithRoleForProject(ctx.pool, 'me_officer', project.code)).map((u) => u.id);
  const dueDate = cmd.dueDate ?? addDays(period.end, 30);

  const cycleId = reportCycleId(project.code, period.id, template.id);
  const existing = await getCycle(ctx.pool, cycleId);
  if (existing && !isOpen(existing.state)) return { cycleId, started: false, state: existing.state };

  await ensureCycle(ctx.pool, { id: cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy });
  const handle = await ctx.temporal.workflow.start(reportCycleWorkflow, {
    workflowId: cycleId,
    taskQueue: ctx.config.taskQueue,
    args: [{
      cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy,
      approvers: chain[0]!.approvers, chain, meOfficers, dueDate, restartFrom: template.restartFrom,
      timing: { ...DEFAULT_TIMING, ...cmd.timing }, renderTaskQueue: ctx.config.renderTaskQueue,
    }],
    // Starting a cycle that runs joins it; a finished cycle is never started again under the same id.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  const status = await cycleStatus(ctx, handle.workflowId);
  return { cycleId, started: !existing, state: status.state };
}

/** The template's chain with the project's users in each step; a step nobody holds is an error. */
async function resolveApprovalChain(ctx: AppContext, template: TemplateManifest, projectCode: string): Promise<ApprovalStep[]> {
  const chain: ApprovalStep[] = [];
  for (const step of template.approvalChain) {
    const approvers = (await usersWithRoleForProject(ctx.pool, step.role, projectCode)).map((u) => u.id);
    if (!approvers.length) {
      throw new RbmError('invalid_input', `project ${projectCode} has nobody with the role ${step.role} for the approval step "${step.name}" (see \`rbm users list\`)`);
    }
    const escalateTo = step.escalateToRole ? (await usersWithRoleForProject(ctx.pool, step.escalateToRole, projectCode)).map((u) => u.id) : [];
    chain.push({ name: step.name, approvers, escalateTo: escalateTo.filter((u) => !approvers.includes(u)) });
  }
  return chain;
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function resubmit(ctx: AppContext, cycleId: string, input: ResubmitInput): Promise<CycleStatus> {
  return runUpdate(ctx, cycleId, () => ctx.temporal.workflow.getHandle(cycleId).executeUpdate(resubmitUpdate, { args: [input] }));
}

export async function cancelCycle(ctx: AppContext, cycleId: string, input: CancelInput): Promise<CycleStatus> {
  return runUpdate(ctx, cycleId, () => ctx.temporal.workflow.getHandle(cycleId).executeUpdate(cancelUpdate, { args: [input] }));
}

/** Runs an Update; a refusal by its validator becomes a 'refused' error with the workflow's reason. */
async function runUpdate(ctx: AppContext, cycleId: string, update: () => Promise<CycleStatus>): Promise<CycleStatus> {
  try {
    return await update();
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
  const version = input.version ?? (await cycleStatus(ctx, cycleId)).version;
  return runUpdate(ctx, cycleId, () => ctx.temporal.workflow.getHandle(cycleId).executeUpdate(decideUpdate, { args: [{ ...input, version }] }));
}

/** Polls the cycle until `until` holds (e.g. a human step is open, or it is done). */
export async function waitForCycle(ctx: AppContext, cycleId: string, until: (s: CycleStatus) => boolean, timeoutMs = 120_000): Promise<CycleStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await cycleStatus(ctx, cycleId);
    if (until(status)) return status;
    if (Date.now() > deadline) throw new RbmError('internal', `cycle ${cycleId} is still ${status.state} after ${timeoutMs / 1000} s: is a worker running?`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const waitForCycleState = (ctx: AppContext, cycleId: string, states: CycleState[], timeoutMs?: number): Promise<CycleStatus> =>
  waitForCycle(ctx, cycleId, (s) => states.includes(s.state), timeoutMs);

/** Waits until the given approval step of the given version is open for decisions (or the cycle ended). */
export const waitForStep = (ctx: AppContext, cycleId: string, version: number, stepIndex: number, timeoutMs?: number): Promise<CycleStatus> =>
  waitForCycle(ctx, cycleId, (s) => !isOpen(s.state) || (s.state === 'awaiting_approval' && s.version === version && (s.stepIndex ?? 0) === stepIndex && s.decisions.every((d) => d.version !== version || d.step !== s.stepName)), timeoutMs);

export async function cycleResult(ctx: AppContext, cycleId: string): Promise<CycleStatus> {
  return ctx.temporal.workflow.getHandle(cycleId).result();
}

export const listReportCycles = (ctx: Pick<AppContext, 'pool'>, filter: { state?: string; projectCode?: string }): Promise<CycleRow[]> => listCycles(ctx.pool, filter);
export const cycleHistory = (ctx: Pick<AppContext, 'pool'>, cycleId: string): Promise<AuditEvent[]> => listCycleEvents(ctx.pool, cycleId);
