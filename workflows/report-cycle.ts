/**
 * reportCycle: one project, one period, one template.
 *   gather -> render draft -> await decision -> (returned: gather again, new version) -> render final
 *   -> deliver -> completed
 * Decisions arrive as the `decide` Update, refused by its validator when they break a rule; the
 * `status` Query returns the state and the versions. Only references and small decisions travel here.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createActivities, createRenderActivities } from '../activities/index.js';
import {
  decisionRefusal,
  type CycleState,
  type CycleStatus,
  type Decision,
  type DecisionInput,
  type ReportCycleInput,
} from '../domain/report-cycle.js';

type Activities = ReturnType<typeof createActivities>;
type RenderActivities = ReturnType<typeof createRenderActivities>;

export const decideUpdate = defineUpdate<CycleStatus, [DecisionInput]>('decide');
export const statusQuery = defineQuery<CycleStatus>('status');

const { gatherCycleData, recordCycleEvent, deliverToOutbox } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

export async function reportCycleWorkflow(input: ReportCycleInput): Promise<CycleStatus> {
  const { renderReport } = proxyActivities<RenderActivities>({
    taskQueue: input.renderTaskQueue ?? workflowInfo().taskQueue,
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  });
  const step = input.approvalStepName ?? 'Project manager';
  const status: CycleStatus = {
    cycleId: input.cycleId,
    projectCode: input.projectCode,
    period: input.period,
    templateId: input.templateId,
    state: 'gathering',
    version: 0,
    approvers: input.approvers,
    versions: [],
    decisions: [],
    final: [],
    finalHeadline: null,
    deliveredTo: [],
  };
  let pending: Decision | undefined;
  let eventSeq = 0;
  const record = (state: CycleState, actor: string, action: string, detail: Record<string, unknown> = {}) => {
    status.state = state;
    return recordCycleEvent({
      eventKey: `${workflowInfo().runId}:${eventSeq++}`,
      cycleId: input.cycleId,
      state,
      actor,
      action,
      version: status.version || null,
      detail,
    });
  };

  setHandler(statusQuery, () => status);
  setHandler(
    decideUpdate,
    (decision) => {
      pending = { ...decision, comment: decision.comment?.trim() || undefined, at: new Date().toISOString(), step };
      status.decisions.push(pending);
      status.state = decision.decision === 'approve' ? 'finalizing' : 'gathering';
      return status;
    },
    {
      validator: (decision) => {
        const refusal = decisionRefusal(status, decision);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  await record('gathering', input.startedBy, 'cycle_started', { templateId: input.templateId, approvers: input.approvers });
  for (;;) {
    status.version += 1;
    const data = await gatherCycleData({ cycleId: input.cycleId, projectCode: input.projectCode, version: status.version });
    await record('rendering', 'system', 'data_gathered', { ...data });
    const { files: draft, headline } = await renderReport({ ...reportOf(input, status.version, data.dataAsOf), stage: 'draft', decisions: [] });
    status.versions.push({ ...data, draft, headline });
    // Cleared before the state opens for decisions: a decision may land while the event is recorded.
    pending = undefined;
    await record('awaiting_approval', 'system', 'draft_rendered', {
      files: draft.map((a) => ({ filename: a.filename, sha256: a.sha256 })),
      approvers: input.approvers,
    });
    await condition(() => pending !== undefined);
    const decision: Decision = pending!;
    if (decision.decision === 'approve') {
      await record('finalizing', decision.by, 'approved', { step, comment: decision.comment ?? null });
      break;
    }
    await record('gathering', decision.by, 'returned', { step, comment: decision.comment ?? null });
  }

  const last = status.versions[status.versions.length - 1]!;
  const approvals = status.decisions.filter((d) => d.decision === 'approve' && d.version === status.version);
  const final = await renderReport({ ...reportOf(input, status.version, last.dataAsOf), stage: 'final', decisions: approvals });
  status.final = final.files;
  status.finalHeadline = final.headline;
  await record('delivering', 'system', 'final_rendered', { files: status.final.map((a) => ({ filename: a.filename, sha256: a.sha256 })) });
  status.deliveredTo = await deliverToOutbox({ cycleId: input.cycleId, projectCode: input.projectCode, version: status.version, artifacts: status.final });
  await record('completed', 'system', 'delivered', { to: status.deliveredTo });
  return status;
}

function reportOf(input: ReportCycleInput, version: number, dataAsOf: string) {
  return { cycleId: input.cycleId, projectCode: input.projectCode, period: input.period, templateId: input.templateId, version, dataAsOf };
}
