/**
 * Activities of a gather run (workflows/gather-source.ts). The fetch resolves credentials here, at
 * fetch time, from the worker's environment or secret files; it heartbeats while it waits on a source,
 * so that a run whose worker died is retried on another one soon. Failures a retry cannot fix (an
 * invalid configuration, a 4xx answer, a body that is not what the source sends) are non-retryable;
 * the rest is retried with backoff by the workflow's retry policy.
 *
 * Workers may run on different hosts (issue 18): nothing one activity writes to local disk is read by
 * another. Fetched rows are staged in PostgreSQL (gather_staging) and stored by whichever worker gets
 * the store activity, through importFile (the same path as an imported file) from a file it writes and
 * removes itself. A drop folder's activities run on the queue of the host that sees the folder. Each
 * worker reads its own sources file and refuses a run whose source it defines differently from the file
 * the run was started from (GatherInput.digest).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { onlyProjects } from '../app/data-scope.js';
import { importFile, type ImportReport } from '../app/imports.js';
import { gatherRunsTotal } from '../runtime/metrics.js';
import { isRbmError } from '../domain/errors.js';
import { dropStaged, readStaged, stageRows } from '../db/gather-staging-repository.js';
import type { Pool } from '../db/pool.js';
import { listIndicators } from '../db/portfolio-repository.js';
import {
  beginGatherRun, findDropFile, finishGatherRun, listGatherRuns, recordDropFile, withSourceLock, type GatherCounts,
} from '../db/sources-repository.js';
import { checkSource, loadSourcesFile, type SourceDefinition, type SourcesConfig } from '../sources/config.js';
import type { SecretEnv } from '../sources/credentials.js';
import { SourceFailure } from '../sources/errors.js';
import { dropTarget, listDropFiles, moveDropFile } from '../sources/folder-drop.js';
import { fetchFormApi } from '../sources/form-api.js';
import type { DropFileOutcome, DropFileRef, FetchedData, GatherInput, GatherStart, StoredCounts, Watermark } from '../sources/gather-types.js';
import { fetchIati } from '../sources/iati.js';
import { fetchSql } from '../sources/sql.js';
import { sha256OfFile, stagedText, stagingName, writeStagedRows, writeWhole } from '../sources/staging.js';

export interface GatheringDeps {
  pool: Pool;
  /**
   * This worker's sources file: the definitions it runs (checked against the digest a run carries), the
   * sources of a report cycle's project, and its scratch folder (stagingDir).
   */
  sourcesFile: string;
  /** Where credential references {"env": NAME} are looked up: the worker's environment. */
  secretEnv: SecretEnv;
  /** Drop-folder files younger than this wait for the next run (they may be being written). */
  settleMs?: number;
}

const PROBLEMS_KEPT = 10;

/** SourceFailure and RbmError become ApplicationFailures: permanent ones are not retried. */
async function asFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SourceFailure) {
      throw e.permanent ? ApplicationFailure.nonRetryable(e.message, e.kind) : ApplicationFailure.retryable(e.message, e.kind);
    }
    if (isRbmError(e) && e.code !== 'internal' && e.code !== 'services_unavailable') throw ApplicationFailure.nonRetryable(e.message, 'invalid_configuration');
    throw e;
  }
}

/** Heartbeats every second while `fn` runs, with the latest progress as details. */
async function heartbeating<T>(fn: (progress: (p: unknown) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  let details: unknown;
  ctx.heartbeat(details);
  const timer = setInterval(() => ctx.heartbeat(details), 1000);
  try {
    return await fn((p) => {
      details = p;
      ctx.heartbeat(p);
    }, ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

const countsOf = (r: ImportReport): StoredCounts => ({
  batchId: r.batchId, accepted: r.accepted, rejected: r.rejected, unchanged: r.unchanged, refused: r.refused,
  problems: r.errors.slice(0, PROBLEMS_KEPT).map((i) => `${i.row !== null && i.row !== undefined ? `row ${i.row}` : i.file}${i.column ? `, ${i.column}` : ''}: ${i.message}`),
});

/** Thrown (non-retryable) when this worker's sources file defines the run's source differently. */
export const SOURCE_MISMATCH = 'source_config_mismatch';

export function createGatheringActivities({ pool, sourcesFile, secretEnv, settleMs }: GatheringDeps) {
  const importedBy = (s: SourceDefinition) => `source:${s.id}`;

  /**
   * The run's source as this worker's own sources file defines it (paths resolved on this host),
   * refused when its digest is not the one the run was started with. A run started before digests
   * existed (no digest) uses the definition it carries.
   */
  async function sourceHere(input: GatherInput): Promise<{ source: SourceDefinition; config: SourcesConfig | null }> {
    if (!input.digest) return { source: checkSource(input.source), config: null };
    const config = await loadSourcesFile(sourcesFile);
    const id = input.source.id;
    const own = config.sources.find((x) => x.id === id);
    const ownDigest = own ? config.digests[id] : undefined;
    if (own && ownDigest === input.digest) return { source: own, config };
    const message = `source ${id}: this worker's sources file ${config.file} ${own ? `defines it with digest ${ownDigest}` : 'does not define it'}, `
      + `but the run was started with digest ${input.digest}; this worker refuses the run (give every worker the same sources file, then \`rbm sources sync\`)`;
    Context.current().log.warn(message, { sourceId: id, expectedDigest: input.digest, workerDigest: ownDigest ?? null, sourcesFile: config.file });
    throw ApplicationFailure.nonRetryable(message, SOURCE_MISMATCH);
  }

  return {
    /** Opens the run's gather log row (idempotent by run id) and reads the source's watermark. */
    async beginGather(r: { input: GatherInput; workflowId: string; runId: string }): Promise<GatherStart> {
      const s = r.input.source;
      const started = await beginGatherRun(pool, { sourceId: s.id, sourceKind: s.kind, projectCode: s.project, workflowId: r.workflowId, runId: r.runId });
      return { logId: started.id, watermark: started.watermark };
    },

    /**
     * Fetches a form API, SQL or IATI source and stages its rows in PostgreSQL; returns the staging id and
     * hash. (`stage` absent: a run started before issue 18, whose workflow reads a file in the staging folder.)
     */
    async fetchSource(r: { input: GatherInput; runId: string; watermark: Watermark | null; stage?: 'database' }): Promise<FetchedData> {
      return asFailure(async () => {
        const { source: s, config } = await sourceHere(r.input);
        return heartbeating(async (progress, signal) => {
          const base = { skipped: 0, skippedReasons: [] as string[], watermark: null as Watermark | null, detail: {} as Record<string, unknown> };
          let rows;
          let fetched = { ...base };
          switch (s.kind) {
            case 'form-api': {
              const f = await fetchFormApi(s, { watermark: r.watermark, env: secretEnv, progress, signal });
              rows = f.rows;
              fetched = { ...base, watermark: f.watermark, detail: { pages: f.pages, submissions: f.submissions, alreadyRead: f.alreadyRead, since: r.watermark?.at ?? null } };
              break;
            }
            case 'sql':
              rows = (await fetchSql(s, secretEnv)).rows;
              break;
            case 'iati': {
              const indicators = await listIndicators(pool, s.project);
              if (!indicators.length) throw SourceFailure.configuration(`project ${s.project} has no indicators in RBM Flow (or does not exist): nothing to match the IATI results to`);
              const f = await fetchIati(s, indicators, { env: secretEnv, signal });
              rows = f.rows;
              fetched = {
                ...base, skipped: f.skipped.length, detail: { activityId: f.activityId },
                skippedReasons: f.skipped.slice(0, PROBLEMS_KEPT).map((k) => `${k.indicator}${k.period ? ` ${k.period}` : ''}: ${k.reason}`),
              };
              break;
            }
            case 'folder':
              throw SourceFailure.configuration(`source ${s.id} is a drop folder: its files are imported one by one`);
          }
          if (!rows.length) return { ...fetched, staged: null, fetched: 0 };
          const name = stagingName(s.id, r.runId);
          if (r.stage !== 'database') {
            const dir = r.input.stagingDir ?? (config ?? (await loadSourcesFile(sourcesFile))).stagingDir;
            return { ...fetched, staged: await writeStagedRows(dir, name, rows), fetched: rows.length };
          }
          const text = stagedText(rows);
          const staged = await stageRows(pool, { sourceId: s.id, runId: r.runId, fileName: name, sha256: text.sha256, rows: text.rows, body: text.text });
          return { ...fetched, staged, fetched: rows.length };
        });
      });
    },

    /**
     * Stores staged rows through the import path of files (validation, quarantine, revisions): read from
     * PostgreSQL (stagingId) into a file of this worker's scratch folder, imported, then removed. (`path`:
     * a file in the staging folder, for runs started before issue 18.)
     */
    async storeStaged(r: { sourceId: string; stagingId?: number; path?: string; sha256: string }): Promise<StoredCounts> {
      // A source writes to the project it is configured for (its run, begun just before, recorded it): rows for others are rejected.
      const [run] = await listGatherRuns(pool, { sourceId: r.sourceId, limit: 1 });
      if (!run) throw ApplicationFailure.nonRetryable(`source ${r.sourceId} has no gather run: its project is unknown`, 'invalid_configuration');
      const importStaged = async (file: string) =>
        countsOf(await importFile({ pool }, { path: file, importedBy: `source:${r.sourceId}`, errorLimit: PROBLEMS_KEPT, scope: onlyProjects([run.projectCode]) }));
      if (r.stagingId === undefined) {
        const actual = r.path ? await sha256OfFile(r.path) : null;
        if (!r.path || actual !== r.sha256) {
          // Another host's staging folder, or a file changed under us: the workflow fetches again.
          throw ApplicationFailure.nonRetryable(`the staged file ${r.path ?? '?'} is ${actual === null ? 'missing' : 'not the one fetched'} on this worker`, 'staging_missing');
        }
        return importStaged(r.path);
      }
      const staged = await readStaged(pool, r.stagingId);
      if (!staged || staged.sha256 !== r.sha256) {
        throw ApplicationFailure.nonRetryable(`the staged rows #${r.stagingId} of source ${r.sourceId} are ${staged ? 'not the ones fetched' : 'gone'}`, 'staging_missing');
      }
      // This worker's own scratch folder, one subfolder per attempt; the file keeps the staged name (the batch records it).
      const scratch = path.join((await loadSourcesFile(sourcesFile)).stagingDir, `store-${randomUUID()}`);
      try {
        return await importStaged(await writeWhole(scratch, staged.fileName, staged.body));
      } finally {
        await fs.rm(scratch, { recursive: true, force: true });
      }
    },

    /** Closes the gather log row; stores the watermark with it (only for a run that stored its rows). */
    async finishGather(r: {
      logId: number; sourceId: string; counts: GatherCounts; error: string | null; watermark: Watermark | null; detail: Record<string, unknown>;
      stagedPath?: string | null; stagingId?: number | null;
    }): Promise<void> {
      const closed = await finishGatherRun(pool, { id: r.logId, sourceId: r.sourceId, counts: r.counts, error: r.error, watermark: r.watermark, detail: r.detail });
      // Counted once per run: a retry of this activity finds the row closed already.
      if (closed) gatherRunsTotal.inc({ source: r.sourceId, outcome: r.error ? 'failed' : 'succeeded' });
      // The staged rows are of no use once the run ends (a failed run's next run fetches again).
      if (r.stagingId) await dropStaged(pool, r.stagingId);
      if (r.stagedPath && !r.error) await fs.rm(r.stagedPath, { force: true });
    },

    /** The files waiting in a drop folder, with their hashes. */
    async listDropFiles(r: { input: GatherInput }): Promise<DropFileRef[]> {
      return asFailure(async () => {
        const { source: s } = await sourceHere(r.input);
        if (s.kind !== 'folder') throw SourceFailure.configuration(`source ${s.id} is not a drop folder`);
        return listDropFiles(s, Date.now(), settleMs);
      });
    },

    /**
     * Imports one dropped file once by content hash, writes its report beside it and moves it to done/
     * or failed/. A file whose content was imported before is moved without importing it again.
     */
    async importDropFile(r: { input: GatherInput; file: DropFileRef; logId: number }): Promise<DropFileOutcome> {
      return asFailure(async () => {
        const { source: s } = await sourceHere(r.input);
        if (s.kind !== 'folder') throw SourceFailure.configuration(`source ${s.id} is not a drop folder`);
        return withSourceLock(pool, s.id, async () => {
          const before = await findDropFile(pool, s.id, r.file.sha256);
          if (before) {
            // Recorded by an earlier attempt (moved or not yet), or the same content dropped again.
            const again = before.fileName !== r.file.name || !before.movedTo.endsWith(r.file.name);
            const movedTo = again ? await dropTarget(s, r.file, before.outcome) : before.movedTo;
            const note = again ? { file: r.file.name, sha256: r.file.sha256, alreadyImported: { batchId: before.batchId, at: before.importedAt, as: before.fileName, movedTo: before.movedTo } } : before.report;
            await moveDropFile(s, r.file, movedTo, note);
            return { name: r.file.name, outcome: before.outcome, movedTo, alreadyImported: again, batchId: before.batchId, accepted: 0, rejected: 0, unchanged: 0, refused: false, problems: [] };
          }
          const full = path.join(s.path, r.file.name);
          const current = await sha256OfFile(full);
          if (current !== r.file.sha256) {
            // Moved by an earlier attempt that was not recorded, or replaced: the next run sees what is there.
            return { name: r.file.name, outcome: 'failed', movedTo: full, alreadyImported: false, batchId: null, accepted: 0, rejected: 0, unchanged: 0, refused: false, problems: ['the file changed or disappeared before it was imported; the next run imports what is there'] };
          }
          const report = await importFile({ pool }, { path: full, importedBy: importedBy(s), scope: onlyProjects([s.project]) });
          const outcome = report.refused || report.rejected > 0 ? 'failed' : 'done';
          const movedTo = await dropTarget(s, r.file, outcome);
          const written = { sha256: r.file.sha256, source: s.id, importedAt: new Date().toISOString(), ...report };
          // Recorded before the move: a retry after a crash in between moves it without importing again.
          await recordDropFile(pool, {
            sourceId: s.id, sha256: r.file.sha256, fileName: r.file.name, outcome, batchId: report.batchId,
            accepted: report.accepted, rejected: report.rejected, unchanged: report.unchanged, movedTo, gatherRunId: r.logId, report: written,
          });
          await moveDropFile(s, r.file, movedTo, written);
          return { name: r.file.name, outcome, movedTo, alreadyImported: false, ...countsOf(report) };
        });
      });
    },

    /** The gather inputs of a project's configured sources (a report cycle gathers them first). */
    async projectSources(r: { projectCode: string }): Promise<GatherInput[]> {
      return asFailure(async () => {
        const config = await loadSourcesFile(sourcesFile);
        return config.sources.filter((s) => s.project === r.projectCode).map((source) => ({ source, digest: config.digests[source.id], trigger: 'cycle' as const }));
      });
    },
  };
}

export type GatheringActivities = ReturnType<typeof createGatheringActivities>;
