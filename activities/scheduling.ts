/** Activities of scheduled work: planning a cycle that a donor agreement's schedule starts. */
import { planCycle } from '../app/cycle-plan.js';
import { isRbmError } from '../domain/errors.js';
import type { ReportCycleInput } from '../domain/report-cycle.js';
import type { Pool } from '../db/pool.js';

export type ScheduledPlan =
  | { kind: 'start'; cycleId: string; input: ReportCycleInput }
  | { kind: 'skip'; cycleId: string | null; reason: string };

export function createSchedulingActivities({ pool, renderTaskQueue }: { pool: Pool; renderTaskQueue: string }) {
  return {
    async planScheduledCycle(r: { projectCode: string; period: string; templateId: string; dueDate: string }): Promise<ScheduledPlan> {
      try {
        const plan = await planCycle(pool, { ...r, startedBy: 'scheduler' }, { renderTaskQueue });
        return plan.kind === 'start' ? { kind: 'start', cycleId: plan.cycleId, input: plan.input } : { kind: 'skip', cycleId: plan.cycleId, reason: `the cycle is ${plan.state}` };
      } catch (e) {
        // A period outside the project, a step without approvers: nothing to start, said in the result.
        if (isRbmError(e) && e.code !== 'internal') return { kind: 'skip', cycleId: null, reason: e.message };
        throw e;
      }
    },
  };
}
