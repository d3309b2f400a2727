/**
 * gatherSource: one gather run of one configured source, started by the source's Temporal Schedule
 * (id gather/<source>-<time>), by `rbm sources run` (gather/<source>) or by a report cycle
 * (gather/<source>/<cycle workflow id>).
 *
 *   begin (gather log row) -> fetch (heartbeats, retries with backoff; configuration errors and 4xx
 *   fail at once; the rows staged in PostgreSQL) -> store the staged rows through the import path of
 *   files -> finish (log row, and the watermark of an incremental source, in one transaction: only
 *   after the rows are stored; the staged rows removed)
 *
 * A drop folder lists its files (name + hash) and imports them one by one, on the task queue of the
 * host that sees the folder (the source's `taskQueue`). Only definitions, digests, staging ids, names,
 * hashes and counts pass through here: the fetch and the store may run on workers of different hosts. A failed run records its error in the gather log and then fails
 * the workflow, so that it shows as failed in Temporal too.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, patched, proxyActivities, workflowInfo, executeChild, ParentClosePolicy } from '@temporalio/workflow';
import type { GatheringActivities } from '../activities/gathering.js';
import type { DropFileOutcome, GatherInput, GatherOutcome, Watermark } from '../sources/gather-types.js';
import { refuseUnauthenticatedStart } from './unauthenticated-input.js';

const book = proxyActivities<GatheringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const store = proxyActivities<GatheringActivities>({
  startToCloseTimeout: '30 minutes', // a big file; the import holds one transaction
  retry: { maximumAttempts: 5, initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

/** How long the fetch may go without a heartbeat before Temporal gives it to another worker. */
export const FETCH_HEARTBEAT_TIMEOUT = '5 seconds';

/**
 * Issue 18: fetched rows are staged in PostgreSQL (a staging id travels, not a path), and a drop
 * folder's activities go to the task queue of its host. Runs begun before keep the staging folder.
 */
export const STAGING_IN_DATABASE_PATCH = 'gather-staged-in-database';
/** A drop folder's activity waits this long for the worker of its host to poll, then the run fails. */
export const HOST_QUEUE_WAIT = '1 hour';

export async function gatherSourceWorkflow(input: GatherInput): Promise<GatherOutcome> {
  refuseUnauthenticatedStart(input);
  const s = input.source;
  const { workflowId, runId } = workflowInfo();
  const { logId, watermark: before } = await book.beginGather({ input, workflowId, runId });
  const inDatabase = patched(STAGING_IN_DATABASE_PATCH);
  // A drop folder is a place on one host: its activities go to that host's queue (none: the workflow's).
  const hostQueue = inDatabase && s.kind === 'folder' && s.taskQueue ? { taskQueue: s.taskQueue, scheduleToStartTimeout: HOST_QUEUE_WAIT } : {};
  const fetching = proxyActivities<GatheringActivities>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: FETCH_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: s.retries ?? 5, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
    ...hostQueue,
  });
  const storeHere = s.kind === 'folder' && 'taskQueue' in hostQueue ? proxyActivities<GatheringActivities>({
    startToCloseTimeout: '30 minutes',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds', maximumInterval: '1 minute' },
    ...hostQueue,
  }) : store;
  const counts = { fetched: 0, accepted: 0, rejected: 0, unchanged: 0, skipped: 0 };
  const detail: Record<string, unknown> = { trigger: input.trigger };
  let watermark: Watermark | null = null;
  let stagedPath: string | null = null;
  let stagingId: number | null = null;
  try {
    if (s.kind === 'folder') {
      const files = await fetching.listDropFiles({ input });
      const outcomes: DropFileOutcome[] = [];
      for (const file of files) outcomes.push(await storeHere.importDropFile({ input, file, logId }));
      counts.fetched = files.length;
      for (const o of outcomes) add(counts, o);
      detail.files = outcomes.map((o) => ({ name: o.name, outcome: o.outcome, movedTo: o.movedTo, batchId: o.batchId, accepted: o.accepted, rejected: o.rejected, unchanged: o.unchanged, alreadyImported: o.alreadyImported, problems: o.problems.slice(0, 3) }));
    } else {
      // Staged rows gone before they were stored (or, before the patch, a staged file another worker's
      // folder does not have) are fetched again (at most twice more).
      for (let attempt = 1; ; attempt++) {
        const fetched = await fetching.fetchSource({ input, runId, watermark: before, ...(inDatabase ? { stage: 'database' as const } : {}) });
        Object.assign(detail, fetched.detail, fetched.skippedReasons.length ? { skippedReasons: fetched.skippedReasons } : {});
        counts.fetched = fetched.fetched;
        counts.skipped = fetched.skipped;
        watermark = fetched.watermark;
        if (!fetched.staged) break;
        stagedPath = fetched.staged.path ?? null;
        stagingId = fetched.staged.id ?? null;
        try {
          const where = stagingId !== null ? { stagingId } : { path: fetched.staged.path };
          const stored = await store.storeStaged({ sourceId: s.id, ...where, sha256: fetched.staged.sha256 });
          add(counts, stored);
          detail.batchId = stored.batchId;
          if (stored.problems.length) detail.problems = stored.problems;
          if (stored.refused) throw ApplicationFailure.nonRetryable(`the import refused the fetched rows: ${stored.problems[0] ?? 'see the import batch'}`, 'import_refused');
          break;
        } catch (e) {
          if (attempt < 3 && failureType(e) === 'staging_missing') continue;
          throw e;
        }
      }
    }
  } catch (e) {
    const error = messageOf(e);
    await book.finishGather({ logId, sourceId: s.id, counts, error, watermark: null, detail, ...staged(stagedPath, stagingId) });
    throw ApplicationFailure.nonRetryable(`source ${s.id}: ${error}`, 'gather_failed');
  }
  await book.finishGather({ logId, sourceId: s.id, counts, error: null, watermark, detail, ...staged(stagedPath, stagingId) });
  return { sourceId: s.id, logId, ...counts, watermark: watermark?.at ?? null };
}

/** What finishGather removes: the staged rows (by id), or before the patch the staged file (by path). */
const staged = (stagedPath: string | null, stagingId: number | null) => (stagingId !== null ? { stagingId } : { stagedPath });

function add(counts: { accepted: number; rejected: number; unchanged: number }, o: { accepted: number; rejected: number; unchanged: number }) {
  counts.accepted += o.accepted;
  counts.rejected += o.rejected;
  counts.unchanged += o.unchanged;
}

/** The innermost message: what the activity said, not "Activity task failed". */
function messageOf(e: unknown): string {
  let cur: unknown = e;
  while ((cur instanceof ActivityFailure || cur instanceof ChildWorkflowFailure) && cur.cause) cur = cur.cause;
  return cur instanceof Error ? cur.message : String(cur);
}

function failureType(e: unknown): string | undefined {
  let cur: unknown = e;
  while (cur instanceof ActivityFailure && cur.cause) cur = cur.cause;
  return cur instanceof ApplicationFailure ? (cur.type ?? undefined) : undefined;
}

export interface ProjectSourceGathered {
  sourceId: string;
  workflowId: string;
  ok: boolean;
  /** The run's counts when it succeeded. */
  outcome: GatherOutcome | null;
  /** Why it failed (also in the gather log). */
  error: string | null;
}

/**
 * For the report cycle: gathers every configured source of a project first, as child workflows
 * (gather/<source>/<key>, key default this workflow's id), all at once, and waits for them. Never
 * throws for a failed source: each result says ok or the error (also in the gather log), and the
 * cycle goes on with the data there is. Call it from workflow code only; the worker reads the
 * sources file (WorkerOptions.sourcesFile). A project without sources returns [] after one activity.
 */
export async function gatherProjectSources(projectCode: string, key: string = workflowInfo().workflowId): Promise<ProjectSourceGathered[]> {
  const inputs = await book.projectSources({ projectCode });
  return Promise.all(inputs.map(async (input): Promise<ProjectSourceGathered> => {
    const workflowId = `gather/${input.source.id}/${key}`;
    try {
      const outcome = await executeChild(gatherSourceWorkflow, { workflowId, args: [input], parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL });
      return { sourceId: input.source.id, workflowId, ok: true, outcome, error: null };
    } catch (e) {
      return { sourceId: input.source.id, workflowId, ok: false, outcome: null, error: messageOf(e) };
    }
  }));
}

/** A workflow around gatherProjectSources, for `rbm sources run --project` and the tests. */
export async function gatherProjectWorkflow(projectCode: string): Promise<ProjectSourceGathered[]> {
  refuseUnauthenticatedStart(projectCode);
  return gatherProjectSources(projectCode);
}
