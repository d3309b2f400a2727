/**
 * Fetched rows on their way to the import: a long-format JSON file (imports/format.ts) written to the
 * staging folder, whole or not at all (written under a temporary name, then renamed), and named by
 * the gather run so that a retried fetch replaces its own file. Only the path and the SHA-256 travel
 * through Temporal; the import reads the file back through the same path as any imported file.
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

export const stagingName = (sourceId: string, runId: string) => `${sourceId}-${runId.replace(/[^A-Za-z0-9-]/g, '')}.json`;

export async function writeStagedRows(dir: string, name: string, rows: StagedRow[]): Promise<StagedFile> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const text = `[\n${rows.map((r) => JSON.stringify(Object.fromEntries(STAGED_COLUMNS.map((c) => [c, r[c] ?? ''])))).join(',\n')}\n]\n`;
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, text, 'utf8');
  await fs.rename(partial, file);
  return { path: file, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), rows: rows.length };
}

export async function sha256OfFile(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await fs.readFile(file)).digest('hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
