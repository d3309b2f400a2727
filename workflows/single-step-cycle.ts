/**
 * The report cycle as it ran before the approval-rounds patch: one approval step, a return gathers
 * again at once. Frozen: cycles started before the patch replay through it. Delete it (and use
 * deprecatePatch) once no such cycle runs.
 */
import { condition } from '@temporalio/workflow';
import type { CycleStatus, Decision } from '../domain/report-cycle.js';
import { activities, renderAndStoreFinal, reportRequest, type CycleRun } from './cycle-run.js';

export async function runSingleStepCycle(run: CycleRun, step: string): Promise<CycleStatus> {
  const { input, status } = run;
  await run.record('gathering', input.startedBy, 'cycle_started', { templateId: input.templateId, approvers: input.approvers });
  for (;;) {
    status.version += 1;
    const data = await activities.gatherCycleData({ cycleId: input.cycleId, projectCode: input.projectCode, version: status.version });
    await run.record('rendering', 'system', 'data_gathered', { ...data });
    const { files: draft, headline } = await run.renderReport({ ...reportRequest(run, data.dataAsOf), stage: 'draft', decisions: [] });
    status.versions.push({ ...data, draft, headline });
    run.pending = undefined;
    await run.record('awaiting_approval', 'system', 'draft_rendered', {
      files: draft.map((a) => ({ filename: a.filename, sha256: a.sha256 })),
      approvers: input.approvers,
    });
    await condition(() => run.pending !== undefined);
    const decision: Decision = run.pending!;
    if (decision.decision === 'approve') {
      await run.record('finalizing', decision.by, 'approved', { step, comment: decision.comment ?? null });
      break;
    }
    await run.record('gathering', decision.by, 'returned', { step, comment: decision.comment ?? null });
  }
  await renderAndStoreFinal(run);
  await run.record('completed', 'system', 'delivered', { to: status.deliveredTo });
  return status;
}
