/**
 * reportCycle: one project, one period, one template.
 *   gather -> render draft -> approval chain (Updates: decide; resubmit after a return; cancel)
 *   -> render final -> deliver -> completed
 * The `status` Query returns the state and the versions. Only references and small decisions travel
 * here; every delay is an input. Cycles started before the approval-rounds patch keep their
 * single-step flow (see single-step-cycle.ts). An input or Update not sent by RBM Flow (not encrypted
 * with its payload key) is refused (unauthenticated-input.ts).
 */
import { defineQuery, defineUpdate, patched, setHandler } from '@temporalio/workflow';
import {
  cancelRefusal,
  decisionRefusal,
  resubmitRefusal,
  type CancelInput,
  type CycleStatus,
  type DecisionInput,
  type ReportCycleInput,
  type ResubmitInput,
} from '../domain/report-cycle.js';
import { runApprovalRounds } from './approval-rounds.js';
import { startCycleRun } from './cycle-run.js';
import { runSingleStepCycle } from './single-step-cycle.js';
import { refuseUnauthenticatedStart, unauthenticatedRefusal } from './unauthenticated-input.js';

export const decideUpdate = defineUpdate<CycleStatus, [DecisionInput]>('decide');
export const resubmitUpdate = defineUpdate<CycleStatus, [ResubmitInput]>('resubmit');
export const cancelUpdate = defineUpdate<CycleStatus, [CancelInput]>('cancel');
export const statusQuery = defineQuery<CycleStatus>('status');

/** Review rounds, chains, reminders, escalation, resubmit and cancel. */
export const APPROVAL_ROUNDS_PATCH = 'approval-rounds';

export async function reportCycleWorkflow(input: ReportCycleInput): Promise<CycleStatus> {
  refuseUnauthenticatedStart(input);
  const run = startCycleRun(input);
  const { status } = run;
  const rounds = patched(APPROVAL_ROUNDS_PATCH);
  const chain = input.chain ?? [{ name: input.approvalStepName ?? 'Project manager', approvers: input.approvers, escalateTo: [] }];
  const meOfficers = input.meOfficers ?? [];
  const reject = (refusal: string | undefined) => {
    if (refusal) throw new Error(refusal);
  };

  setHandler(statusQuery, () => status);
  setHandler(
    decideUpdate,
    (decision) => {
      const stepName = rounds ? chain[status.stepIndex ?? 0]!.name : chain[0]!.name;
      run.pending = { ...decision, comment: decision.comment?.trim() || undefined, at: new Date().toISOString(), step: stepName };
      status.decisions.push(run.pending);
      if (!rounds) status.state = decision.decision === 'approve' ? 'finalizing' : 'gathering';
      else if (decision.decision === 'return') {
        run.resubmitted = undefined;
        status.state = 'returned';
      }
      else if ((status.stepIndex ?? 0) + 1 >= chain.length) status.state = 'finalizing';
      return status;
    },
    {
      // Once a step has its decision, nobody decides it again; the next step opens in a moment.
      validator: (decision) => reject(unauthenticatedRefusal(decision) ?? (run.pending ? `a decision on this step was already taken by ${run.pending.by}` : decisionRefusal(status, decision))),
    },
  );
  if (!rounds) return runSingleStepCycle(run, chain[0]!.name);

  setHandler(
    resubmitUpdate,
    (r) => {
      run.resubmitted = { ...r, at: new Date().toISOString() };
      status.state = 'gathering';
      return status;
    },
    { validator: (r) => reject(unauthenticatedRefusal(r) ?? resubmitRefusal(status, meOfficers, r)) },
  );
  setHandler(
    cancelUpdate,
    (c) => {
      run.cancelled = { ...c, reason: c.reason.trim(), at: new Date().toISOString() };
      status.cancelled = run.cancelled;
      status.state = 'cancelled';
      return status;
    },
    { validator: (c) => reject(unauthenticatedRefusal(c) ?? cancelRefusal(status, meOfficers, c)) },
  );
  return runApprovalRounds(run, chain);
}
