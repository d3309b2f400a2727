/**
 * Problems found while importing. A row problem rejects that row (it goes to the quarantine); a file
 * problem (unreadable file, wrong header, wrong encoding) refuses the whole file and nothing is stored.
 */
import { RbmError } from '../domain/errors.js';

/** One problem of one row: the column it is in (null when it is about the row as a whole). */
export interface RowIssue {
  column: string | null;
  message: string;
}

/** What `rbm import --json` prints for each problem: file and row as the user sees them (header = row 1). */
export interface ImportIssue {
  file: string;
  row: number | null;
  column: string | null;
  message: string;
}

/** The file cannot be imported at all. An RbmError (invalid_input), so anything that lets it through exits 2. */
export class FileRefused extends RbmError {
  readonly issues: ImportIssue[];
  constructor(
    readonly file: string,
    issues: Array<Omit<ImportIssue, 'file'>>,
  ) {
    super('invalid_input', `${file}: ${issues.map((i) => describeIssue({ ...i, file })).join('; ')}`);
    this.issues = issues.map(({ row, column, message }) => ({ file, row, column, message }));
  }
}

/** "row 5, column value: ..." */
export function describeIssue(i: ImportIssue): string {
  const where = [i.row !== null ? `row ${i.row}` : null, i.column ? `column ${i.column}` : null].filter(Boolean).join(', ');
  return where ? `${where}: ${i.message}` : i.message;
}

export const refuse = (file: string, message: string, row: number | null = null, column: string | null = null): FileRefused =>
  new FileRefused(file, [{ row, column, message }]);
