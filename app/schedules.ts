/**
 * Keeps a family of Temporal Schedules (all ids under one prefix) equal to what the configuration
 * wants: creates the missing ones, updates the others (their paused state is kept), deletes the rest.
 * Idempotent. The schedule list is eventually consistent, so existence is learnt from create().
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleOptions } from '@temporalio/client';
import type { AppContext } from './context.js';

export interface SyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

export type WantedSchedule = Omit<ScheduleOptions, 'scheduleId'>;

export async function syncSchedules(ctx: AppContext, prefix: string, wanted: Map<string, WantedSchedule>): Promise<SyncResult> {
  const existing: string[] = [];
  for await (const s of ctx.temporal.schedule.list()) if (s.scheduleId.startsWith(prefix)) existing.push(s.scheduleId);
  const result: SyncResult = { created: [], updated: [], deleted: [] };
  for (const [scheduleId, options] of wanted) {
    try {
      await ctx.temporal.schedule.create({ scheduleId, ...options });
      result.created.push(scheduleId);
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      const { state: _state, ...changes } = options; // an update keeps the schedule's own state (paused, note)
      await ctx.temporal.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, ...changes }));
      result.updated.push(scheduleId);
    }
  }
  for (const scheduleId of existing.filter((id) => !wanted.has(id))) {
    await ctx.temporal.schedule.getHandle(scheduleId).delete().catch((e) => {
      if (!(e instanceof ScheduleNotFoundError)) throw e;
    });
    result.deleted.push(scheduleId);
  }
  return result;
}
