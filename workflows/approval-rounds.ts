/**
 * The report cycle with review rounds: each version goes through the approval chain step by step;
 * the open step gets reminders, is escalated after a longer wait and flags lateness past the due
 * date; a return waits for the M&E officer to resubmit, then gathers and renders a new version.
 */
import { condition, patched } from '@temporalio/workflow';
import { DEFAULT_TIMING, type ApprovalStep, type ApprovalTiming, type CycleStatus, type Decision } from '../domain/report-cycle.js';
import { activities, renderAndStoreFinal, reportRequest, type CycleRun } from './cycle-run.js';
import { DONOR_DELIVERY_PATCH, deliverToDonorsStep } from './donor-delivery-step.js';
import { gatherProjectSources } from './gather-source.js';

/** The cycle gathers its project's configured sources before it reads the data. */
export const GATHER_SOURCES_PATCH = 'gather-sources';

type StepOutcome = 'approve' | 'return' | 'cancelled';

export async function runApprovalRounds(run: CycleRun, chain: ApprovalStep[]): Promise<CycleStatus> {
  const { input, status } = run;
  const timing = input.timing ?? DEFAULT_TIMING;
  const meOfficers = input.meOfficers ?? [];
  Object.assign(status, { stepCount: chain.length, dueDate: input.dueDate ?? null, overdue: false, escalated: false, remindersSent: 0, cancelled: null });

  if (input.reopened) await run.record('gathering', input.reopened.by, 'reopened', { approvedVersion: input.reopened.approvedVersion, reason: input.reopened.reason });
  else await run.record('gathering', input.startedBy, 'cycle_started', { templateId: input.templateId, chain: chain.map((s) => s.name), dueDate: input.dueDate ?? null });
  let firstStep = 0;
  rounds: for (;;) {
    status.version += 1;
    // Fresh data first: every source configured for the project is gathered (failures are in the result).
    const sources = patched(GATHER_SOURCES_PATCH) ? await gatherProjectSources(input.projectCode, `${input.cycleId}/v${status.version}`) : [];
    const data = await activities.gatherCycleData({ cycleId: input.cycleId, projectCode: input.projectCode, version: status.version });
    if (run.cancelled) return finishCancelled(run, meOfficers);
    await run.record('rendering', 'system', 'data_gathered', { ...data, ...(sources.length ? { sources: sources.map((g) => ({ source: g.sourceId, ok: g.ok, error: g.error })) } : {}) });
    const { files: draft, headline } = await run.renderReport({ ...reportRequest(run, data.dataAsOf), stage: 'draft', decisions: [] });
    status.versions.push({ ...data, draft, headline });
    if (run.cancelled) return finishCancelled(run, meOfficers);
    await run.record('rendering', 'system', 'draft_rendered', { files: draft.map((a) => ({ filename: a.filename, sha256: a.sha256 })) });

    for (let s = firstStep; s < chain.length; s++) {
      const outcome = await awaitDecision(run, chain[s]!, s, timing, meOfficers);
      if (outcome === 'cancelled') return finishCancelled(run, meOfficers);
      const decision = run.pending!;
      if (outcome === 'approve') {
        await run.record(s + 1 < chain.length ? 'awaiting_approval' : 'finalizing', decision.by, 'approved', { step: chain[s]!.name, comment: decision.comment ?? null });
        continue;
      }
      await run.record('returned', decision.by, 'returned', { step: chain[s]!.name, comment: decision.comment ?? null });
      await run.notify('returned', meOfficers, { actor: decision.by, comment: decision.comment });
      // (run.resubmitted was cleared when the return was accepted: a resubmit may land while we record.)
      await condition(() => run.resubmitted !== undefined || run.cancelled !== undefined);
      if (run.cancelled) return finishCancelled(run, meOfficers);
      await run.record('gathering', run.resubmitted!.by, 'resubmitted', { comment: run.resubmitted!.comment ?? null });
      firstStep = input.restartFrom === 'returning_step' ? s : 0;
      continue rounds;
    }
    break;
  }

  const approvals = await renderAndStoreFinal(run);
  if (patched(DONOR_DELIVERY_PATCH)) await deliverToDonorsStep(run, meOfficers);
  await run.record('completed', 'system', 'delivered', { to: status.deliveredTo });
  await run.notify('approved', unique([...meOfficers, ...chain.flatMap((s) => s.approvers)]), { actor: approvals.at(-1)?.by });
  return status;
}

/** Opens step `index` and waits for its decision, sending reminders, escalating and flagging lateness. */
async function awaitDecision(run: CycleRun, step: ApprovalStep, index: number, timing: ApprovalTiming, meOfficers: string[]): Promise<StepOutcome> {
  const { status } = run;
  // The step opens before anything is awaited, so that a decision can never land between two steps.
  run.pending = undefined;
  Object.assign(status, { stepIndex: index, stepName: step.name, approvers: [...step.approvers], escalated: false, remindersSent: 0 });
  await run.record('awaiting_approval', 'system', 'review_requested', { step: step.name, approvers: step.approvers });
  await run.notify('review_requested', step.approvers, { stepName: step.name });

  const openedAt = Date.now(); // workflow time: deterministic
  let nextReminderAt = openedAt + timing.reminderAfterMs;
  const escalateAt = step.escalateTo.length ? openedAt + timing.escalateAfterMs : Infinity;
  const dueAt = run.input.dueDate ? Date.parse(`${run.input.dueDate}T23:59:59Z`) : Infinity;
  for (;;) {
    const nextAt = Math.min(nextReminderAt, status.escalated ? Infinity : escalateAt, status.overdue ? Infinity : dueAt);
    await condition(() => run.pending !== undefined || run.cancelled !== undefined, Math.max(1, nextAt - Date.now()));
    if (run.cancelled) return 'cancelled';
    const decided = run.pending as Decision | undefined; // set by the decide Update while we waited
    if (decided) return decided.decision;
    const now = Date.now();
    if (!status.overdue && now >= dueAt) {
      status.overdue = true;
      await run.record('awaiting_approval', 'system', 'overdue', { dueDate: run.input.dueDate });
      await run.notify('overdue', unique([...status.approvers, ...meOfficers]), { stepName: step.name });
    }
    if (!status.escalated && now >= escalateAt) {
      status.escalated = true;
      status.approvers = unique([...status.approvers, ...step.escalateTo]);
      await run.record('awaiting_approval', 'system', 'escalated', { step: step.name, to: step.escalateTo });
      await run.notify('escalation', step.escalateTo, { stepName: step.name });
    } else if (now >= nextReminderAt) {
      status.remindersSent = (status.remindersSent ?? 0) + 1;
      nextReminderAt = now + timing.reminderEveryMs;
      await run.record('awaiting_approval', 'system', 'reminder_sent', { step: step.name, to: status.approvers, count: status.remindersSent });
      await run.notify('reminder', status.approvers, { stepName: step.name });
    }
  }
}

async function finishCancelled(run: CycleRun, meOfficers: string[]): Promise<CycleStatus> {
  const c = run.cancelled!;
  await run.record('cancelled', c.by, 'cancelled', { reason: c.reason });
  await run.notify('cancelled', unique([...run.status.approvers, ...meOfficers].filter((u) => u !== c.by)), { actor: c.by, comment: c.reason });
  return run.status;
}

const unique = (xs: string[]) => [...new Set(xs)];
