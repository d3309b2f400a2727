/**
 * Plans a report cycle from the database: validates the project, period and template, resolves the
 * approval chain to users, and builds the workflow input. No Temporal client here: both the start use
 * case (app/cycles.ts) and the scheduled start (an activity) use it.
 */
import { addDays } from '../domain/agreements.js';
import { RbmError } from '../domain/errors.js';
import { parsePeriod, periodWithin } from '../domain/periods.js';
import { DEFAULT_TIMING, isOpen, reportCycleId, type ApprovalStep, type ApprovalTiming, type CycleState, type ReportCycleInput } from '../domain/report-cycle.js';
import { ensureCycle, getCycle } from '../db/cycles-repository.js';
import type { Queryable } from '../db/pool.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { usersWithRoleForProject } from '../db/users-repository.js';
import { DEFAULT_TEMPLATE_ID, getTemplate, type TemplateManifest } from '../templates/registry.js';

export interface StartCycleCommand {
  projectCode: string;
  period: string;
  templateId?: string;
  startedBy: string;
  /** ISO date; default: 30 days after the period ends. */
  dueDate?: string;
  /** Reminder and escalation delays; default: 3 days, then every 2 days; escalation after 7 days. */
  timing?: Partial<ApprovalTiming>;
  deliveryRetry?: ReportCycleInput['deliveryRetry'];
}

export type CyclePlan =
  | { kind: 'start'; cycleId: string; input: ReportCycleInput; existed: boolean }
  | { kind: 'finished'; cycleId: string; state: CycleState };

/** `reopen`: plan a new run of a finished cycle (its approved data was corrected; app/corrections.ts). */
export async function planCycle(q: Queryable, cmd: StartCycleCommand, queues: { renderTaskQueue: string }, opts: { reopen?: boolean } = {}): Promise<CyclePlan> {
  const period = parsePeriod(cmd.period);
  const template = getTemplate(cmd.templateId ?? DEFAULT_TEMPLATE_ID);
  if (template.scope !== 'project') {
    throw new RbmError('invalid_input', `template ${template.id} covers the whole mission, not one project: render it with \`rbm report render --template ${template.id} --period ${period.id}\``);
  }
  const { project } = await getProjectBundle(q, cmd.projectCode);
  if (!periodWithin(period, project.startDate, project.endDate)) {
    throw new RbmError('invalid_input', `period ${period.id} (${period.start} to ${period.end}) is outside project ${project.code} (${project.startDate} to ${project.endDate})`);
  }
  const cycleId = reportCycleId(project.code, period.id, template.id);
  const existing = await getCycle(q, cycleId);
  if (existing && !isOpen(existing.state) && !opts.reopen) return { kind: 'finished', cycleId, state: existing.state };

  const chain = await resolveApprovalChain(q, template, project.code);
  const meOfficers = (await usersWithRoleForProject(q, 'me_officer', project.code)).map((u) => u.id);
  await ensureCycle(q, { id: cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy });
  return {
    kind: 'start',
    cycleId,
    existed: Boolean(existing),
    input: {
      cycleId, projectCode: project.code, period: period.id, templateId: template.id, startedBy: cmd.startedBy,
      approvers: chain[0]!.approvers, chain, meOfficers, dueDate: cmd.dueDate ?? addDays(period.end, 30), restartFrom: template.restartFrom,
      timing: { ...DEFAULT_TIMING, ...cmd.timing }, renderTaskQueue: queues.renderTaskQueue, deliveryRetry: cmd.deliveryRetry,
    },
  };
}

/** The template's chain with the project's users in each step; a step nobody holds is an error. */
async function resolveApprovalChain(q: Queryable, template: TemplateManifest, projectCode: string): Promise<ApprovalStep[]> {
  const chain: ApprovalStep[] = [];
  for (const step of template.approvalChain) {
    const approvers = (await usersWithRoleForProject(q, step.role, projectCode)).map((u) => u.id);
    if (!approvers.length) {
      throw new RbmError('invalid_input', `project ${projectCode} has nobody with the role ${step.role} for the approval step "${step.name}" (see \`rbm users list\`)`);
    }
    const escalateTo = step.escalateToRole ? (await usersWithRoleForProject(q, step.escalateToRole, projectCode)).map((u) => u.id) : [];
    chain.push({ name: step.name, approvers, escalateTo: escalateTo.filter((u) => !approvers.includes(u)) });
  }
  return chain;
}
