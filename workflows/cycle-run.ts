/**
 * What every version of the report cycle workflow shares: the activities it calls, its status, the
 * decisions waiting to be taken up, and the helpers that record an event (audit + state) or notify.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities, createRenderActivities } from '../activities/index.js';
import type { NotificationKind } from '../domain/notifications.js';
import type { CancelInput, CycleState, CycleStatus, Decision, ReportCycleInput, ResubmitInput } from '../domain/report-cycle.js';

type Activities = ReturnType<typeof createActivities>;
type RenderActivities = ReturnType<typeof createRenderActivities>;

// Short enough that an activity lost with a crashed worker is retried soon on another one.
export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

// A notification that must reach its readers (a failed donor delivery): retried until the SMTP server
// takes it, backing off to every 10 minutes; the cycle waits for it (issue 15).
const persistentNotify = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
}).notifyUsers;

export interface CycleRun {
  input: ReportCycleInput;
  status: CycleStatus;
  /** The decision taken at the open step, once the decide Update accepted it. */
  pending: Decision | undefined;
  resubmitted: (ResubmitInput & { at: string }) | undefined;
  cancelled: (CancelInput & { at: string }) | undefined;
  renderReport: RenderActivities['renderReport'];
  record(state: CycleState, actor: string, action: string, detail?: Record<string, unknown>): Promise<void>;
  /** `untilSent`: retried until the mail goes out, instead of recorded as failed after a few attempts. */
  notify(kind: NotificationKind, to: string[], extra?: { actor?: string; comment?: string; stepName?: string; untilSent?: boolean }): Promise<void>;
}

export function startCycleRun(input: ReportCycleInput): CycleRun {
  const { renderReport } = proxyActivities<RenderActivities>({
    taskQueue: input.renderTaskQueue ?? workflowInfo().taskQueue,
    startToCloseTimeout: '5 minutes',
    // The activity heartbeats while it renders: a render lost with a killed worker is retried on another within 30 s (issue 15).
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  });
  // Keys of side effects: unique per run and stable across replays, so retried activities do them once.
  let seq = 0;
  const nextKey = () => `${workflowInfo().runId}:${seq++}`;
  const run: CycleRun = {
    input,
    status: {
      cycleId: input.cycleId,
      projectCode: input.projectCode,
      period: input.period,
      templateId: input.templateId,
      state: 'gathering',
      // A reopened cycle goes on from the version that had been approved.
      version: input.reopened?.approvedVersion ?? 0,
      approvers: input.approvers,
      versions: [],
      decisions: [],
      final: [],
      finalHeadline: null,
      deliveredTo: [],
      ...(input.reopened ? { reopened: input.reopened } : {}),
    },
    pending: undefined,
    resubmitted: undefined,
    cancelled: undefined,
    renderReport,
    record(state, actor, action, detail = {}) {
      run.status.state = state;
      return activities.recordCycleEvent({
        eventKey: nextKey(), cycleId: input.cycleId, state, actor, action, version: run.status.version || null, detail,
      });
    },
    async notify(kind, to, extra = {}) {
      if (!to.length) return;
      // A mail that cannot be sent after the retries is recorded as failed; it does not stop the cycle
      // (unless `untilSent`: then it is retried until it goes out).
      const notification = {
        eventKey: nextKey(), kind, cycleId: input.cycleId, projectCode: input.projectCode, period: input.period,
        version: run.status.version, to, actor: extra.actor ?? null, comment: extra.comment ?? null,
        stepName: extra.stepName ?? null, dueDate: input.dueDate ?? null,
      };
      await (extra.untilSent ? persistentNotify(notification) : activities.notifyUsers(notification)).catch(() => undefined);
    },
  };
  return run;
}

export function reportRequest(run: CycleRun, dataAsOf: string) {
  const { input, status } = run;
  return {
    cycleId: input.cycleId, projectCode: input.projectCode, period: input.period, templateId: input.templateId, version: status.version, dataAsOf,
    ...(input.reopened ? { revisionOf: input.reopened } : {}),
  };
}

/**
 * Renders the final of the current version with its approvals and delivers it to the outbox.
 * Returns the approvals it carries.
 */
export async function renderAndStoreFinal(run: CycleRun): Promise<Decision[]> {
  const { input, status } = run;
  const last = status.versions[status.versions.length - 1]!;
  const approvals = status.decisions.filter((d) => d.decision === 'approve' && d.version === status.version);
  const final = await run.renderReport({ ...reportRequest(run, last.dataAsOf), stage: 'final', decisions: approvals });
  status.final = final.files;
  status.finalHeadline = final.headline;
  await run.record('delivering', 'system', 'final_rendered', { files: status.final.map((a) => ({ filename: a.filename, sha256: a.sha256 })) });
  status.deliveredTo = await activities.deliverToOutbox({ cycleId: input.cycleId, projectCode: input.projectCode, version: status.version, artifacts: status.final });
  return approvals;
}
