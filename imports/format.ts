/**
 * The long format of indicator data, one row per value (like a DHIS2 data value set):
 *
 *   project_code,indicator_code,period,value            required
 *   sex,age_group,population_type,nationality,location  the disaggregation; all empty = the total
 *   source,comment,evidence_url                         optional
 *   numerator,denominator                               optional, percentage and ratio indicators only
 *
 * Columns come in any order; header names are matched without regard to case, surrounding spaces, or
 * spaces/hyphens instead of underscores ("Project Code" is project_code). A column outside this list
 * refuses the file: a misspelt optional column ("sexe") would otherwise be dropped silently and every
 * row stored as a total.
 */
import { DISAGGREGATION_DIMENSIONS } from '../domain/results-framework.js';
import { clip } from '../domain/value-rules.js';
import { FileRefused, type RowIssue } from './issues.js';

export const REQUIRED_COLUMNS = ['project_code', 'indicator_code', 'period', 'value'] as const;
export const OPTIONAL_COLUMNS = [...DISAGGREGATION_DIMENSIONS, 'source', 'comment', 'evidence_url', 'numerator', 'denominator'] as const;
export const COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type Column = (typeof COLUMNS)[number];

/** Position of each column in the canonical cell array that every source produces. */
export const COL = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as { [K in Column]: number };

/** Cells of one row in canonical column order ('' when empty or absent). */
export type Cells = string[];

/** Where each canonical column sits in the file's header (-1: absent). */
export interface HeaderMap {
  positions: number[]; // by canonical column index
  named: boolean[]; // by position in the file: whether that column has a name
}

export const normaliseColumnName = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** Checks a header row and maps it onto the canonical columns; throws FileRefused on a wrong header. */
export function resolveHeader(file: string, names: string[], row = 1): HeaderMap {
  const issues: RowIssue[] = [];
  const positions = COLUMNS.map(() => -1);
  names.forEach((raw, i) => {
    const name = normaliseColumnName(raw);
    if (name === '') {
      // Spreadsheets often export trailing empty columns; an empty name in the middle is a mistake.
      if (names.slice(i).some((n) => n.trim() !== '')) issues.push({ column: `column ${i + 1}`, message: 'has no name in the header' });
      return;
    }
    const index = (COLUMNS as readonly string[]).indexOf(name);
    if (index < 0) {
      const guess = closestColumn(name);
      issues.push({ column: raw.trim(), message: `is not a column of the format${guess ? ` (did you mean ${guess}?)` : ''}; the columns are ${COLUMNS.join(', ')}` });
    } else if (positions[index] !== -1) {
      issues.push({ column: name, message: 'appears twice in the header' });
    } else {
      positions[index] = i;
    }
  });
  const missing = REQUIRED_COLUMNS.filter((c) => positions[COL[c]] === -1);
  if (missing.length) {
    issues.unshift({ column: missing.join(', '), message: `required column${missing.length > 1 ? 's' : ''} missing: the header must have ${REQUIRED_COLUMNS.join(', ')}` });
  }
  if (issues.length) throw new FileRefused(file, issues.map((i) => ({ ...i, row })));
  const named = names.map((_, i) => positions.includes(i));
  return { positions, named };
}

/**
 * The canonical cells of one data row, plus problems with cells outside the header (a value in a
 * column that has no name).
 */
export function mapRow(header: HeaderMap, raw: string[]): { cells: Cells; issues: RowIssue[] } {
  const positions = header.positions;
  const cells: Cells = new Array<string>(positions.length);
  for (let c = 0; c < positions.length; c++) {
    const p = positions[c]!;
    cells[c] = p >= 0 ? (raw[p] ?? '') : '';
  }
  let issues: RowIssue[] = NO_ISSUES;
  for (let i = 0; i < raw.length; i++) {
    if (header.named[i] || raw[i] === '' || raw[i]!.trim() === '') continue;
    if (issues === NO_ISSUES) issues = [];
    issues.push({ column: `column ${i + 1}`, message: `has a value ("${clip(raw[i]!)}") but no column name in the header` });
  }
  return { cells, issues };
}

/** One data row from any source, in canonical column order, with problems the source already found. */
export interface SourceRow {
  row: number; // as the user sees it: the header is row 1 in a CSV or a sheet; the first object is row 1 in JSON
  cells: Cells;
  issues: RowIssue[];
}
export const NO_ISSUES: RowIssue[] = Object.freeze([]) as unknown as RowIssue[];

export const isBlankRow = (raw: readonly string[]): boolean => raw.every((c) => c.trim() === '');

function closestColumn(name: string): string | undefined {
  let best: { column: string; distance: number } | undefined;
  for (const column of COLUMNS) {
    const distance = editDistance(name, column);
    if (!best || distance < best.distance) best = { column, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.column.length / 4)) ? best.column : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
