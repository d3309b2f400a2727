/**
 * Report cycle use cases, shared by the CLI and (later) the web: start a cycle, take a decision,
 * read its status and history.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import {
  isOpen,
  type CancelInput,
  type CycleState,
  type CycleReopening,
  type CycleStatus,
  type DecisionInput,
  type ResubmitInput,
} from '../domain/report-cycle.js';
import { getCycle, listCycleEvents, listCycles, type AuditEvent, type CycleRow } from '../db/cycles-repository.js';
import { listProjects } from '../db/portfolio-repository.js';
import { parsePeriod, periodWithin } from '../domain/periods.js';
import { mapConcurrently } from './concurrency.js';
import { planCycle, type StartCycleCommand } from './cycle-plan.js';
import { cancelUpdate, decideUpdate, reportCycleWorkflow, resubmitUpdate, statusQuery } from '../workflows/report-cycle.js';
import { authorize, can, type Action, type Principal } from './auth.js';
import type { AppContext } from './context.js';

export type { StartCycleCommand } from './cycle-plan.js';
export interface StartedCycle {
  cycleId: string;
  /** false when the cycle already existed (running: joined; finished: left as it is). */
  started: boolean;
  state: CycleState;
}

export async function startCycle(ctx: AppContext, cmd: StartCycleCommand): Promise<StartedCycle> {
  const plan = await planCycle(ctx.pool, cmd, { renderTaskQueue: ctx.config.renderTaskQueue });
  if (plan.kind === 'finished') return { cycleId: plan.cycleId, started: false, state: plan.state };
  const handle = await ctx.temporal.workflow.start(reportCycleWorkflow, {
    workflowId: plan.cycleId,
    taskQueue: ctx.config.taskQueue,
    args: [plan.input],
    // Starting a cycle that runs joins it; a finished cycle is never started again under the same id.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  const status = await cycleStatus(ctx, handle.workflowId);
  return { cycleId: plan.cycleId, started: !plan.existed, state: status.state };
}

export interface PortfolioCycleStart {
  projectCode: string;
  cycleId?: string;
  /** true: started now; false: it existed (running: joined; finished: left as it is). */
  started: boolean;
  state?: CycleState;
  /** Why this project's cycle could not be started (the others go on). */
  error?: string;
}

/** At most this many starts in flight: a portfolio's start must not open hundreds of calls at once. */
export const PORTFOLIO_START_CONCURRENCY = 8;

/**
 * Starts the period's cycle of every active project whose dates cover the period (or of `projects`),
 * at most `concurrency` starts at a time. Each start waits for its workflow's first answer; the
 * rendering that follows is bounded by the render task queue. A project that fails is reported with
 * its reason and the others go on. `mayStart` filters the projects (the caller's permissions).
 */
export async function startPortfolioCycles(
  ctx: AppContext,
  cmd: Omit<StartCycleCommand, 'projectCode'> & { projects?: string[]; concurrency?: number; mayStart?: (projectCode: string) => boolean },
): Promise<PortfolioCycleStart[]> {
  const period = parsePeriod(cmd.period);
  const wanted = cmd.projects ? new Set(cmd.projects) : undefined;
  const all = await listProjects(ctx.pool);
  if (wanted) {
    const unknown = [...wanted].filter((code) => !all.some((p) => p.code === code));
    if (unknown.length) throw new RbmError('not_found', `no project ${unknown.join(', ')}`);
  }
  const codes = all
    .filter((p) => (wanted ? wanted.has(p.code) : p.status === 'active' && periodWithin(period, p.startDate, p.endDate)))
    .filter((p) => cmd.mayStart?.(p.code) ?? true)
    .map((p) => p.code);
  const { projects: _projects, concurrency = PORTFOLIO_START_CONCURRENCY, mayStart: _mayStart, ...command } = cmd;
  const results = await mapConcurrently(codes, concurrency, async (projectCode): Promise<PortfolioCycleStart> => {
    try {
      return { projectCode, ...(await startCycle(ctx, { ...command, projectCode })) };
    } catch (e) {
      if (!(e instanceof RbmError)) ctx.log.warn({ err: e, projectCode }, 'starting a cycle of the portfolio failed');
      return { projectCode, started: false, error: (e as Error).message };
    }
  });
  return results.sort((a, b) => a.projectCode.localeCompare(b.projectCode));
}

/** The portfolio's start as a user: only the projects the principal may start a cycle of. */
export async function startPortfolioCyclesAs(ctx: AppContext, p: Principal, cmd: Omit<Parameters<typeof startPortfolioCycles>[1], 'startedBy' | 'mayStart'>): Promise<PortfolioCycleStart[]> {
  if (cmd.projects) for (const code of cmd.projects) authorize(p, 'start_cycle', code);
  return startPortfolioCycles(ctx, { ...cmd, startedBy: p.userId, mayStart: (code) => can(p, 'start_cycle', code) });
}

/**
 * Reopens an approved (completed) cycle after its locked data was corrected: a new run under the same
 * id whose versions go on from the approved one; its report says "revised after approval" with what
 * changed, and goes through the approval chain and to the donors again.
 */
export async function reopenCycle(ctx: AppContext, r: { cycleId: string; by: string; reason: string }): Promise<StartedCycle> {
  const row = await getCycle(ctx.pool, r.cycleId);
  if (!row) throw new RbmError('not_found', `no report cycle ${r.cycleId}`);
  if (row.state !== 'completed') throw new RbmError('refused', `cycle ${r.cycleId} is ${row.state}: only an approved (completed) cycle is reopened`);
  const plan = await planCycle(ctx.pool, { projectCode: row.projectCode, period: row.period, templateId: row.templateId, startedBy: r.by }, { renderTaskQueue: ctx.config.renderTaskQueue }, { reopen: true });
  if (plan.kind !== 'start') throw new RbmError('refused', `cycle ${r.cycleId} cannot be reopened`);
  const reopened: CycleReopening = { approvedVersion: row.currentVersion, by: r.by, reason: r.reason, at: new Date().toISOString() };
  await ctx.temporal.workflow.start(reportCycleWorkflow, {
    workflowId: plan.cycleId,
    taskQueue: ctx.config.taskQueue,
    args: [{ ...plan.input, reopened }],
    // The approved run is closed; this is the next run under the same business key.
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { cycleId: plan.cycleId, started: true, state: 'gathering' };
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
    return statusFromRow(row);
  }
}

/** What the database knows of a cycle whose workflow cannot answer (decisions are in its audit trail). */
const statusFromRow = (row: CycleRow): CycleStatus => ({
  cycleId: row.id, projectCode: row.projectCode, period: row.period, templateId: row.templateId, state: row.state, version: row.currentVersion,
  approvers: [], versions: [], decisions: [], final: [], finalHeadline: null, deliveredTo: [],
});

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

// --- as a signed-in user (web pages and API) ----------------------------------------------------

/**
 * The cycle's project when the principal may `action` on it. A cycle that does not exist and a cycle
 * of a project the user may not read answer the same 404 (to the user, it does not exist); a cycle
 * the user may read but not act on is a 403 with the reason.
 */
export async function cycleProjectFor(ctx: Pick<AppContext, 'pool'>, p: Principal, cycleId: string, action: Action = 'read_project'): Promise<string> {
  const row = await getCycle(ctx.pool, cycleId);
  if (!row || !can(p, 'read_project', row.projectCode)) throw new RbmError('not_found', `no report cycle ${cycleId}`);
  authorize(p, action, row.projectCode);
  return row.projectCode;
}

export async function startCycleAs(ctx: AppContext, p: Principal, cmd: Omit<StartCycleCommand, 'startedBy'>): Promise<StartedCycle> {
  authorize(p, 'start_cycle', cmd.projectCode);
  return startCycle(ctx, { ...cmd, startedBy: p.userId });
}

export async function cycleStatusFor(ctx: AppContext, p: Principal, cycleId: string): Promise<CycleStatus> {
  await cycleProjectFor(ctx, p, cycleId);
  try {
    // A request never waits on a workflow no worker answers for: after 10 s, what the database knows.
    return await ctx.temporal.connection.withDeadline(Date.now() + 10_000, () => cycleStatus(ctx, cycleId));
  } catch (e) {
    if (e instanceof RbmError) throw e;
    const row = await getCycle(ctx.pool, cycleId);
    if (!row) throw e;
    ctx.log.warn({ err: e, cycleId }, 'the cycle workflow did not answer: its status is read from the database');
    return statusFromRow(row);
  }
}

export async function cycleHistoryFor(ctx: AppContext, p: Principal, cycleId: string): Promise<AuditEvent[]> {
  await cycleProjectFor(ctx, p, cycleId);
  return cycleHistory(ctx, cycleId);
}

export async function decideAs(ctx: AppContext, p: Principal, cycleId: string, input: Omit<DecisionInput, 'version' | 'by'> & { version?: number }): Promise<CycleStatus> {
  await cycleProjectFor(ctx, p, cycleId, 'decide');
  return decide(ctx, cycleId, { ...input, by: p.userId });
}

export async function resubmitAs(ctx: AppContext, p: Principal, cycleId: string, input: Omit<ResubmitInput, 'by'>): Promise<CycleStatus> {
  await cycleProjectFor(ctx, p, cycleId, 'resubmit');
  return resubmit(ctx, cycleId, { ...input, by: p.userId });
}

export async function cancelCycleAs(ctx: AppContext, p: Principal, cycleId: string, input: Omit<CancelInput, 'by'>): Promise<CycleStatus> {
  await cycleProjectFor(ctx, p, cycleId, 'cancel');
  return cancelCycle(ctx, cycleId, { ...input, by: p.userId });
}
