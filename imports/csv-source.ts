/** Rows of a CSV file: header checked, delimiter confirmed, rows mapped onto the canonical columns. */
import { CsvSyntaxError, csvRecords, delimiterName, guessDelimiter } from './csv-records.js';
import { isBlankRow, mapRow, resolveHeader, type HeaderMap, type SourceRow } from './format.js';
import { refuse } from './issues.js';

export async function* csvSourceRows(file: string, text: AsyncIterable<string>, delimiter?: string): AsyncGenerator<SourceRow[]> {
  let header: HeaderMap | undefined;
  let row = 0;
  let dataRows = 0;
  try {
    for await (const records of csvRecords(text, delimiter ?? ',')) {
      const batch: SourceRow[] = [];
      for (const raw of records) {
        row++;
        if (isBlankRow(raw)) continue;
        if (!header) {
          if (!delimiter) checkDelimiter(file, raw, row);
          header = resolveHeader(file, raw, row);
          continue;
        }
        const { cells, issues } = mapRow(header, raw);
        batch.push({ row, cells, issues });
      }
      dataRows += batch.length;
      if (batch.length) yield batch;
    }
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw refuse(file, e.message, e.record);
    throw e;
  }
  if (!header) throw refuse(file, 'is empty: it has no header and no rows');
  if (!dataRows) throw refuse(file, 'has a header but no data rows', row);
}

/** A header read with commas that is one cell holding semicolons (or tabs) names the real delimiter. */
function checkDelimiter(file: string, header: string[], row: number): void {
  if (header.length !== 1) return;
  const guess = guessDelimiter(header[0]!);
  if (guess === ',') return;
  throw refuse(
    file,
    `the columns are separated by ${delimiterName(guess)}, not commas: export the file as "CSV UTF-8 (comma delimited)", or import it with --delimiter '${guess === '\t' ? '\\t' : guess}'`,
    row,
  );
}
