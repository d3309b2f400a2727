/**
 * Fetched rows on their way to the import: long-format JSON text (imports/format.ts) with its SHA-256.
 * Since issue 18 the text is staged in PostgreSQL (db/gather-staging-repository.ts) by the fetch, and
 * the store activity — on whatever worker — reads it back, writes it to a file in its own scratch
 * folder and imports that file through the same path as any imported file, then removes the file:
 * nothing one activity writes to local disk is read by another. Only the staging id and the SHA-256
 * travel through Temporal.
 *
 * writeStagedRows (a file in a staging folder) remains for gather runs started before the change
 * (workflows/gather-source.ts, patch gather-staged-in-database), which pass a path.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The columns of a staged row, every one present (the first object is the header of a JSON import). */
export const STAGED_COLUMNS = [
  'project_code', 'indicator_code', 'period', 'value', 'sex', 'age_group', 'population_type', 'nationality', 'location', 'source', 'comment', 'evidence_url', 'numerator', 'denominator',
] as const;
export type StagedRow = Record<(typeof STAGED_COLUMNS)[number], string>;

export const emptyRow = (): StagedRow => Object.fromEntries(STAGED_COLUMNS.map((c) => [c, ''])) as StagedRow;

export interface StagedFile {
  path: string;
  sha256: string;
  rows: number;
}

export interface StagedText {
  text: string;
  sha256: string;
  rows: number;
}

export const stagingName = (sourceId: string, runId: string) => `${sourceId}-${runId.replace(/[^A-Za-z0-9-]/g, '')}.json`;

export const sha256Text = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The rows as the long-format JSON text the import reads, with its SHA-256. */
export function stagedText(rows: StagedRow[]): StagedText {
  const text = `[\n${rows.map((r) => JSON.stringify(Object.fromEntries(STAGED_COLUMNS.map((c) => [c, r[c] ?? ''])))).join(',\n')}\n]\n`;
  return { text, sha256: sha256Text(text), rows: rows.length };
}

/** Writes text to dir/name whole or not at all (a temporary name, then renamed). */
export async function writeWhole(dir: string, name: string, text: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, text, 'utf8');
  await fs.rename(partial, file);
  return file;
}

/** Legacy (runs started before the database staging): the rows as a file in the staging folder. */
export async function writeStagedRows(dir: string, name: string, rows: StagedRow[]): Promise<StagedFile> {
  const staged = stagedText(rows);
  return { path: await writeWhole(dir, name, staged.text), sha256: staged.sha256, rows: staged.rows };
}

export async function sha256OfFile(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await fs.readFile(file)).digest('hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
