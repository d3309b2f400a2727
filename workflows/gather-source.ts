/**
 * gatherSource: one gather run of one configured source, started by the source's Temporal Schedule
 * (id gather/<source>-<time>), by `rbm sources run` (gather/<source>) or by a report cycle
 * (gather/<source>/<cycle workflow id>).
 *
 *   begin (gather log row) -> fetch (heartbeats, retries with backoff; configuration errors and 4xx
 *   fail at once) -> store the staged file through the import path of files -> finish (log row, and
 *   the watermark of an incremental source, in one transaction: only after the rows are stored)
 *
 * A drop folder lists its files (path + hash) and imports them one by one. Only definitions, paths,
 * hashes and counts pass through here. A failed run records its error in the gather log and then fails
 * the workflow, so that it shows as failed in Temporal too.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, proxyActivities, workflowInfo, executeChild, ParentClosePolicy } from '@temporalio/workflow';
import type { GatheringActivities } from '../activities/gathering.js';
import type { DropFileOutcome, GatherInput, GatherOutcome, Watermark } from '../sources/gather-types.js';

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

export async function gatherSourceWorkflow(input: GatherInput): Promise<GatherOutcome> {
  const s = input.source;
  const { workflowId, runId } = workflowInfo();
  const fetching = proxyActivities<GatheringActivities>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: FETCH_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: s.retries ?? 5, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const { logId, watermark: before } = await book.beginGather({ input, workflowId, runId });
  const counts = { fetched: 0, accepted: 0, rejected: 0, unchanged: 0, skipped: 0 };
  const detail: Record<string, unknown> = { trigger: input.trigger };
  let watermark: Watermark | null = null;
  let stagedPath: string | null = null;
  try {
    if (s.kind === 'folder') {
      const files = await fetching.listDropFiles({ input });
      const outcomes: DropFileOutcome[] = [];
      for (const file of files) outcomes.push(await store.importDropFile({ input, file, logId }));
      counts.fetched = files.length;
      for (const o of outcomes) add(counts, o);
      detail.files = outcomes.map((o) => ({ name: o.name, outcome: o.outcome, movedTo: o.movedTo, batchId: o.batchId, accepted: o.accepted, rejected: o.rejected, unchanged: o.unchanged, alreadyImported: o.alreadyImported, problems: o.problems.slice(0, 3) }));
    } else {
      // A staged file another worker's folder does not have is fetched again (at most twice more).
      for (let attempt = 1; ; attempt++) {
        const fetched = await fetching.fetchSource({ input, runId, watermark: before });
        Object.assign(detail, fetched.detail, fetched.skippedReasons.length ? { skippedReasons: fetched.skippedReasons } : {});
        counts.fetched = fetched.fetched;
        counts.skipped = fetched.skipped;
        watermark = fetched.watermark;
        if (!fetched.staged) break;
        stagedPath = fetched.staged.path;
        try {
          const stored = await store.storeStaged({ sourceId: s.id, path: fetched.staged.path, sha256: fetched.staged.sha256 });
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
    await book.finishGather({ logId, sourceId: s.id, counts, error, watermark: null, detail, stagedPath });
    throw ApplicationFailure.nonRetryable(`source ${s.id}: ${error}`, 'gather_failed');
  }
  await book.finishGather({ logId, sourceId: s.id, counts, error: null, watermark, detail, stagedPath });
  return { sourceId: s.id, logId, ...counts, watermark: watermark?.at ?? null };
}

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
  return gatherProjectSources(projectCode);
}
