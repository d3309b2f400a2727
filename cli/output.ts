/** Printing for the CLI: JSON for scripts, aligned tables for people; exit codes per error code. */
import { isRbmError, type RbmErrorCode } from '../domain/errors.js';

/** Exit codes scripts can rely on (documented in the README). */
export const EXIT_CODES: Record<RbmErrorCode, number> = {
  invalid_input: 2,
  not_found: 4,
  refused: 5,
  conflict: 5,
  services_unavailable: 6,
  internal: 1,
};

export const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable<T extends object>(objects: T[], columns: string[]): void {
  const rows = objects as Array<Record<string, unknown>>;
  if (!rows.length) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => cell(r[c])))}\n`);
}

/** Prints an error for a person and returns the exit code. */
export function reportError(e: unknown): number {
  if (isRbmError(e)) {
    process.stderr.write(`rbm: ${e.message}\n`);
    return EXIT_CODES[e.code];
  }
  process.stderr.write(`rbm: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

/** "sheet Indicators, row 7, column Unit: message": where a problem of an imported file is, then what. */
export function describeIssue(i: { sheet?: string | null; row: number | null; column: string | null; message: string }): string {
  const where = [i.sheet ? `sheet ${i.sheet}` : null, i.row !== null ? `row ${i.row}` : null, i.column ? `column ${i.column}` : null].filter(Boolean).join(', ');
  return where ? `${where}: ${i.message}` : i.message;
}
