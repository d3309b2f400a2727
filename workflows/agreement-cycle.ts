/**
 * Started by an agreement's Temporal Schedule ahead of the due date: works out the period that just
 * ended, plans the cycle (activity: resolves the approval chain from the database) and starts the
 * reportCycle as a child under its business-key id. A cycle that runs or ran already is left alone.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { createSchedulingActivities } from '../activities/scheduling.js';
import { dueDateOf, lastEndedPeriod, type Frequency } from '../domain/agreements.js';
import { reportCycleWorkflow } from './report-cycle.js';
import { refuseUnauthenticatedStart } from './unauthenticated-input.js';

const { planScheduledCycle } = proxyActivities<ReturnType<typeof createSchedulingActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

export interface AgreementCycleInput {
  donorCode: string;
  projectCode: string;
  templateId: string;
  frequency: Frequency;
  dueDays: number;
}
export interface AgreementCycleOutcome {
  period: string;
  cycleId: string | null;
  started: boolean;
  reason: string | null;
}

export async function agreementCycleWorkflow(a: AgreementCycleInput): Promise<AgreementCycleOutcome> {
  refuseUnauthenticatedStart(a);
  const period = lastEndedPeriod(a.frequency, new Date().toISOString()); // workflow time: deterministic
  const plan = await planScheduledCycle({ projectCode: a.projectCode, period, templateId: a.templateId, dueDate: dueDateOf(period, a.dueDays) });
  if (plan.kind !== 'start') return { period, cycleId: plan.cycleId, started: false, reason: plan.reason };
  try {
    await startChild(reportCycleWorkflow, {
      workflowId: plan.cycleId,
      args: [plan.input],
      parentClosePolicy: ParentClosePolicy.ABANDON, // the cycle outlives this short workflow
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { period, cycleId: plan.cycleId, started: false, reason: 'the cycle is already running' };
    throw e;
  }
  return { period, cycleId: plan.cycleId, started: true, reason: null };
}
