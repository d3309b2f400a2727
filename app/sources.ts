/**
 * Data sources use cases: keep one Temporal Schedule per scheduled source (created, updated and
 * deleted to match the sources file; idempotent), list the sources with their schedule and last run,
 * run one now, pause and resume its schedule, read the gather log.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { RbmError } from '../domain/errors.js';
import { getGatherRunByRunId, listGatherRuns, sourceStates, type GatherRun } from '../db/sources-repository.js';
import { loadSourcesFile, type SourceDefinition, type SourcesConfig } from '../sources/config.js';
import type { GatherInput } from '../sources/gather-types.js';
import { describeSchedule, gatherWorkflowId, scheduleSpec, SOURCE_SCHEDULE_PREFIX, sourceScheduleId } from '../sources/schedule.js';
import { gatherSourceWorkflow } from '../workflows/gather-source.js';
import type { AppContext } from './context.js';
import { syncSchedules, type SyncResult } from './schedules.js';

type DbContext = Pick<AppContext, 'pool'>;

export const loadSources = (ctx: Pick<AppContext, 'config'>): Promise<SourcesConfig> => loadSourcesFile(ctx.config.sourcesFile);

/** A run's input: the definition and its digest in this sources file (each worker checks it against its own). */
function gatherInput(config: SourcesConfig, source: SourceDefinition, trigger: GatherInput['trigger']): GatherInput {
  return { source, digest: config.digests[source.id], trigger };
}

function scheduleOptions(ctx: AppContext, config: SourcesConfig, s: SourceDefinition & { schedule: NonNullable<SourceDefinition['schedule']> }) {
  return {
    spec: scheduleSpec(s.schedule),
    action: {
      type: 'startWorkflow' as const,
      workflowType: gatherSourceWorkflow,
      workflowId: gatherWorkflowId(s.id), // Temporal adds the scheduled time
      taskQueue: ctx.config.taskQueue,
      args: [gatherInput(config, s, 'schedule')] as [GatherInput],
    },
    // One run of a source at a time; a run missed while the server was down is made up within a day.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

export type { SyncResult } from './schedules.js';

/** Makes the Temporal Schedules match the sources file: one per source with a schedule. Paused schedules stay paused. */
export async function syncSourceSchedules(ctx: AppContext, config?: SourcesConfig): Promise<SyncResult> {
  const sources = config ?? (await loadSources(ctx));
  const wanted = new Map(
    sources.sources
      .filter((s): s is SourceDefinition & { schedule: NonNullable<SourceDefinition['schedule']> } => Boolean(s.schedule))
      .map((s) => [sourceScheduleId(s.id), { ...scheduleOptions(ctx, sources, s), state: { note: `source ${s.id} (${s.kind}, project ${s.project})` } }]),
  );
  return syncSchedules(ctx, SOURCE_SCHEDULE_PREFIX, wanted);
}

export interface SourceListing {
  id: string;
  kind: SourceDefinition['kind'];
  project: string;
  description: string;
  schedule: string;
  scheduleId: string | null;
  /** null: no schedule in Temporal (not synced, or a manual source). */
  paused: boolean | null;
  nextRun: string | null;
  watermark: string | null;
  lastRun: Pick<GatherRun, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'accepted' | 'rejected' | 'unchanged' | 'error'> | null;
}

export async function sourcesList(ctx: AppContext): Promise<SourceListing[]> {
  const config = await loadSources(ctx);
  const states = await sourceStates(ctx.pool);
  const out: SourceListing[] = [];
  for (const s of config.sources) {
    let paused: boolean | null = null;
    let nextRun: string | null = null;
    if (s.schedule) {
      try {
        const d = await ctx.temporal.schedule.getHandle(sourceScheduleId(s.id)).describe();
        paused = d.state.paused;
        nextRun = d.info.nextActionTimes[0]?.toISOString() ?? null;
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
      }
    }
    const st = states.get(s.id);
    const last = st?.lastRun;
    out.push({
      id: s.id, kind: s.kind, project: s.project, description: s.description, schedule: describeSchedule(s.schedule),
      scheduleId: s.schedule ? sourceScheduleId(s.id) : null, paused, nextRun, watermark: st?.watermark ?? null,
      lastRun: last ? { id: last.id, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt, accepted: last.accepted, rejected: last.rejected, unchanged: last.unchanged, error: last.error } : null,
    });
  }
  return out;
}

function findSource(config: SourcesConfig, id: string): SourceDefinition {
  const s = config.sources.find((x) => x.id === id);
  if (!s) throw new RbmError('not_found', `no source ${id} in ${config.file} (sources: ${config.sources.map((x) => x.id).join(', ') || 'none'})`);
  return s;
}

export interface SourceRunResult {
  workflowId: string;
  runId: string;
  /** The run's gather log row (when waited for). */
  log: GatherRun | null;
}

/**
 * Gathers a source now, under the workflow id gather/<source>: a run of it started this way that is
 * still running is joined, not doubled. With `wait`, returns when the run is done (a failed run is in
 * the gather log, with its error).
 */
export async function runSource(ctx: AppContext, id: string, opts: { wait?: boolean } = {}): Promise<SourceRunResult> {
  const config = await loadSources(ctx);
  const s = findSource(config, id);
  const handle = await ctx.temporal.workflow.start(gatherSourceWorkflow, {
    workflowId: gatherWorkflowId(s.id),
    taskQueue: ctx.config.taskQueue,
    args: [gatherInput(config, s, 'manual')],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const runId = handle.firstExecutionRunId;
  if (opts.wait === false) return { workflowId: handle.workflowId, runId, log: null };
  try {
    await handle.result();
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
  }
  return { workflowId: handle.workflowId, runId, log: (await getGatherRunByRunId(ctx.pool, runId)) ?? null };
}

async function scheduleHandle(ctx: AppContext, id: string) {
  const s = findSource(await loadSources(ctx), id);
  if (!s.schedule) throw new RbmError('invalid_input', `source ${id} has no schedule in the sources file: nothing to pause or resume (\`rbm sources run ${id}\` runs it)`);
  return ctx.temporal.schedule.getHandle(sourceScheduleId(id));
}

async function notSynced<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new RbmError('not_found', `source ${id} has no Temporal Schedule yet: run \`rbm sources sync\` (or start the worker)`);
    throw e;
  }
}

export async function pauseSource(ctx: AppContext, id: string, note?: string): Promise<void> {
  const handle = await scheduleHandle(ctx, id);
  await notSynced(id, () => handle.pause(note ?? 'paused with rbm sources pause'));
}

export async function resumeSource(ctx: AppContext, id: string, note?: string): Promise<void> {
  const handle = await scheduleHandle(ctx, id);
  await notSynced(id, () => handle.unpause(note ?? 'resumed with rbm sources resume'));
}

export const gatherLog = (ctx: DbContext, filter: { sourceId?: string; limit?: number } = {}): Promise<GatherRun[]> => listGatherRuns(ctx.pool, filter);
