/**
 * Rows of the first worksheet of an XLSX workbook, read with exceljs's streaming reader after the zip
 * has passed inspectWorkbookZip; the reader is given only the parts that passed, each capped at its
 * declared size while it is inflated (readCheckedZip), never the file itself. Row numbers are Excel's. A cell holding a formula is refused (paste
 * values): its cached result may be stale, and a formula is not data. A number formatted as a
 * percentage is read as Excel shows it (0.45 shown as 45% is 45).
 */
import { isBlankRow, mapRow, normaliseColumnName, resolveHeader, type HeaderMap, type SourceRow } from './format.js';
import { refuse, type RowIssue } from './issues.js';
import { inspectWorkbookZip } from './zip-inspect.js';
import { readCheckedZip } from './zip-read.js';

interface StreamRow {
  number: number;
  values: unknown[] | Record<string, unknown>;
  getCell(i: number): { numFmt?: string };
}

export async function* xlsxSourceRows(file: string, filePath: string): AsyncGenerator<SourceRow[]> {
  const checked = readCheckedZip(filePath, await inspectWorkbookZip(file, filePath));
  const refuseIfDamaged = () => {
    const problem = checked.problem();
    if (problem) throw refuse(file, problem);
  };
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(checked.stream, {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'cache', entries: 'emit',
  });
  let header: HeaderMap | undefined;
  let headerNames: string[] = [];
  let dataRows = 0;
  let lastRow = 0;
  try {
    for await (const sheet of reader) {
      let batch: SourceRow[] = [];
      for await (const r of sheet as AsyncIterable<StreamRow>) {
        lastRow = r.number;
        const { raw, issues } = rowCells(r, (i) => headerNames[i - 1] || columnLetter(i));
        if (isBlankRow(raw) && !issues.length) continue;
        if (!header) {
          header = resolveHeader(file, raw, r.number);
          headerNames = raw.map(normaliseColumnName);
          continue;
        }
        const mapped = mapRow(header, raw);
        batch.push({ row: r.number, cells: mapped.cells, issues: issues.length ? [...issues, ...mapped.issues] : mapped.issues });
        if (batch.length >= 1000) {
          refuseIfDamaged();
          dataRows += batch.length;
          yield batch;
          batch = [];
        }
      }
      refuseIfDamaged();
      dataRows += batch.length;
      if (batch.length) yield batch;
      break; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof Error && e.name === 'RbmError') throw e;
    refuseIfDamaged();
    throw refuse(file, `could not be read as an Excel workbook (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    checked.stream.destroy();
  }
  refuseIfDamaged();
  if (!header) throw refuse(file, 'is empty: its first worksheet has no header and no rows');
  if (!dataRows) throw refuse(file, 'has a header but no data rows', lastRow);
}

/** The text of each cell of a row (index 0 = column A) and problems with cells that are not data. */
function rowCells(r: StreamRow, columnName: (index: number) => string): { raw: string[]; issues: RowIssue[] } {
  const values = Array.isArray(r.values) ? r.values : [];
  const raw: string[] = [];
  const issues: RowIssue[] = [];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    const column = columnName(i);
    if (v === null || v === undefined) raw.push('');
    else if (typeof v === 'string') raw.push(v);
    else if (typeof v === 'number') raw.push(isPercentFormat(r.getCell(i).numFmt) ? String(Number((v * 100).toPrecision(12))) : String(v));
    else if (typeof v === 'boolean') raw.push(v ? 'true' : 'false');
    else if (v instanceof Date) raw.push(v.toISOString().slice(0, 10));
    else if (typeof v === 'object') {
      const o = v as { richText?: Array<{ text: string }>; formula?: string; sharedFormula?: string; text?: unknown; hyperlink?: string; error?: string };
      if (o.formula !== undefined || o.sharedFormula !== undefined) {
        issues.push({ column, message: `holds a formula (=${o.formula ?? o.sharedFormula}): paste the values only` });
        raw.push('');
      } else if (o.error !== undefined) {
        issues.push({ column, message: `holds the Excel error ${o.error}` });
        raw.push('');
      } else if (o.richText) raw.push(o.richText.map((t) => t.text).join(''));
      else if (o.hyperlink !== undefined) raw.push(column === 'evidence_url' ? o.hyperlink : typeof o.text === 'string' ? o.text : '');
      else raw.push(String(o.text ?? ''));
    } else raw.push(String(v));
  }
  return { raw, issues };
}

const isPercentFormat = (numFmt: string | undefined) => !!numFmt && numFmt.replace(/"[^"]*"/g, '').includes('%');

/** Column letters as Excel shows them: 1 -> A, 27 -> AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
