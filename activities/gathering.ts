/**
 * Activities of a gather run (workflows/gather-source.ts). The fetch resolves credentials here, at
 * fetch time, from the worker's environment or secret files; it heartbeats while it waits on a source,
 * so that a run whose worker died is retried on another one soon. Failures a retry cannot fix (an
 * invalid configuration, a 4xx answer, a body that is not what the source sends) are non-retryable;
 * the rest is retried with backoff by the workflow's retry policy. Rows are staged as a long-format
 * JSON file and stored through importFile, the same path as an imported file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { importFile, type ImportReport } from '../app/imports.js';
import { isRbmError } from '../domain/errors.js';
import type { Pool } from '../db/pool.js';
import { listIndicators } from '../db/portfolio-repository.js';
import {
  beginGatherRun, findDropFile, finishGatherRun, recordDropFile, withSourceLock, type GatherCounts,
} from '../db/sources-repository.js';
import { checkSource, loadSourcesFile, type FolderSourceDefinition, type SourceDefinition } from '../sources/config.js';
import type { SecretEnv } from '../sources/credentials.js';
import { SourceFailure } from '../sources/errors.js';
import { dropTarget, listDropFiles, moveDropFile } from '../sources/folder-drop.js';
import { fetchFormApi } from '../sources/form-api.js';
import type { DropFileOutcome, DropFileRef, FetchedData, GatherInput, GatherStart, StoredCounts, Watermark } from '../sources/gather-types.js';
import { fetchIati } from '../sources/iati.js';
import { fetchSql } from '../sources/sql.js';
import { sha256OfFile, stagingName, writeStagedRows } from '../sources/staging.js';

export interface GatheringDeps {
  pool: Pool;
  /** The sources file, read when a report cycle asks for its project's sources. */
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

export function createGatheringActivities({ pool, sourcesFile, secretEnv, settleMs }: GatheringDeps) {
  const importedBy = (s: SourceDefinition) => `source:${s.id}`;

  return {
    /** Opens the run's gather log row (idempotent by run id) and reads the source's watermark. */
    async beginGather(r: { input: GatherInput; workflowId: string; runId: string }): Promise<GatherStart> {
      const s = r.input.source;
      const started = await beginGatherRun(pool, { sourceId: s.id, sourceKind: s.kind, projectCode: s.project, workflowId: r.workflowId, runId: r.runId });
      return { logId: started.id, watermark: started.watermark };
    },

    /** Fetches a form API, SQL or IATI source and stages its rows; returns the staged file's path and hash. */
    async fetchSource(r: { input: GatherInput; runId: string; watermark: Watermark | null }): Promise<FetchedData> {
      return asFailure(() => heartbeating(async (progress, signal) => {
        const s = checkSource(r.input.source);
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
        const staged = rows.length ? await writeStagedRows(r.input.stagingDir, stagingName(s.id, r.runId), rows) : null;
        return { ...fetched, staged, fetched: rows.length };
      }));
    },

    /** Stores a staged file through the import path of files (validation, quarantine, revisions). */
    async storeStaged(r: { sourceId: string; path: string; sha256: string }): Promise<StoredCounts> {
      const actual = await sha256OfFile(r.path);
      if (actual !== r.sha256) {
        // Another host's staging folder, or a file changed under us: the workflow fetches again.
        throw ApplicationFailure.nonRetryable(`the staged file ${r.path} is ${actual === null ? 'missing' : 'not the one fetched'} (is the staging folder shared by every worker?)`, 'staging_missing');
      }
      const report = await importFile({ pool }, { path: r.path, importedBy: `source:${r.sourceId}`, errorLimit: PROBLEMS_KEPT });
      return countsOf(report);
    },

    /** Closes the gather log row; stores the watermark with it (only for a run that stored its rows). */
    async finishGather(r: {
      logId: number; sourceId: string; counts: GatherCounts; error: string | null; watermark: Watermark | null; detail: Record<string, unknown>; stagedPath: string | null;
    }): Promise<void> {
      await finishGatherRun(pool, { id: r.logId, sourceId: r.sourceId, counts: r.counts, error: r.error, watermark: r.watermark, detail: r.detail });
      if (r.stagedPath && !r.error) await fs.rm(r.stagedPath, { force: true });
    },

    /** The files waiting in a drop folder, with their hashes. */
    async listDropFiles(r: { input: GatherInput }): Promise<DropFileRef[]> {
      return asFailure(async () => {
        const s = checkSource(r.input.source);
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
        const s = checkSource(r.input.source) as FolderSourceDefinition;
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
          const report = await importFile({ pool }, { path: full, importedBy: importedBy(s) });
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
        return config.sources.filter((s) => s.project === r.projectCode).map((source) => ({ source, stagingDir: config.stagingDir, trigger: 'cycle' as const }));
      });
    },
  };
}

export type GatheringActivities = ReturnType<typeof createGatheringActivities>;
