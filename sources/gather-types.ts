/**
 * What travels through Temporal for a gather run: the source's definition (credential references
 * only) and its digest, staging ids, drop-file names, hashes and counts; never rows. No Node built-ins here: the
 * workflow bundle imports these types.
 */
import type { SourceDefinition } from './config.js';

export type GatherTrigger = 'schedule' | 'manual' | 'cycle';

/**
 * Where an incremental source stands: the latest submission time stored, and the ids of the
 * submissions at exactly that time (the next pull asks from that time inclusive and skips those ids,
 * so that a submission sharing the second is neither lost nor read twice).
 */
export interface Watermark {
  at: string;
  ids: string[];
}

export interface GatherInput {
  source: SourceDefinition;
  /**
   * The SHA-256 of the source's definition in the sources file the run was started from (the schedule's
   * sync, `rbm sources run`, or the report cycle's worker): each worker compares it with its own file's
   * and refuses the run if they differ. Absent in runs started before issue 18 (not checked).
   */
  digest?: string;
  /** Legacy (runs started before issue 18): the staging folder. Rows are now staged in PostgreSQL. */
  stagingDir?: string;
  trigger: GatherTrigger;
}

export interface GatherStart {
  logId: number;
  /** The incremental source's watermark when the run began. */
  watermark: Watermark | null;
}

export interface FetchedData {
  /**
   * The staged rows, or null when the source had no rows: `id`, the row of gather_staging in PostgreSQL;
   * `path`, a file in the staging folder (legacy runs, started before issue 18).
   */
  staged: { id?: number; path?: string; sha256: string; rows: number } | null;
  fetched: number;
  skipped: number;
  /** The first reasons for skipped items, for the gather log. */
  skippedReasons: string[];
  /** The watermark to store once the rows are stored (incremental sources). */
  watermark: Watermark | null;
  detail: Record<string, unknown>;
}

export interface StoredCounts {
  batchId: number | null;
  accepted: number;
  rejected: number;
  unchanged: number;
  refused: boolean;
  /** The first problems of the import, "row 3, period: ...". */
  problems: string[];
}

export interface DropFileRef {
  name: string;
  sha256: string;
  bytes: number;
}

export interface DropFileOutcome extends StoredCounts {
  name: string;
  outcome: 'done' | 'failed';
  movedTo: string;
  /** Imported by an earlier run (same content): not imported again. */
  alreadyImported: boolean;
}

export interface GatherOutcome {
  sourceId: string;
  logId: number;
  fetched: number;
  accepted: number;
  rejected: number;
  unchanged: number;
  skipped: number;
  watermark: string | null;
}
