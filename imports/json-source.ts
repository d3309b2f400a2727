/**
 * Rows of a JSON file: an array of row objects, `[{"project_code": "LY10P0542", ...}, ...]`, read as a
 * stream. A small scanner finds where each object of the array begins and ends (tracking strings and
 * nesting); each object's text is then parsed with JSON.parse. Memory stays at one object, whatever
 * the size of the file. Row numbers are the positions of the objects in the array (the first is row 1).
 * The keys of the first object play the part of a header (required columns, unknown names refuse the
 * file); a later object with a missing or unknown key has that row rejected.
 */
import { COL, COLUMNS, NO_ISSUES, normaliseColumnName, resolveHeader, type Cells, type SourceRow } from './format.js';
import { refuse, type RowIssue } from './issues.js';

const MAX_OBJECT_CHARS = 1024 * 1024;
const LONE_SURROGATE = /\p{Cs}/u; // with the u flag a proper pair is one code point, not a surrogate

export async function* jsonSourceRows(file: string, text: AsyncIterable<string>): AsyncGenerator<SourceRow[]> {
  let seenHeader = false;
  let rows = 0;
  for await (const objects of jsonArrayItems(file, text)) {
    const batch: SourceRow[] = [];
    for (const item of objects) {
      rows++;
      if (!seenHeader && item.value && typeof item.value === 'object' && !Array.isArray(item.value)) {
        resolveHeader(file, Object.keys(item.value), rows);
        seenHeader = true;
      }
      batch.push(toSourceRow(rows, item));
    }
    if (batch.length) yield batch;
  }
  if (!rows) throw refuse(file, 'is an empty array: there are no rows');
}

function toSourceRow(row: number, item: JsonItem): SourceRow {
  const cells: Cells = COLUMNS.map(() => '');
  if (item.error) return { row, cells, issues: [{ column: null, message: item.error }] };
  const v = item.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { row, cells, issues: [{ column: null, message: 'is not an object like {"project_code": ..., "value": ...}' }] };
  let issues: RowIssue[] = NO_ISSUES;
  const add = (issue: RowIssue) => (issues === NO_ISSUES ? (issues = [issue]) : issues.push(issue));
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const column = normaliseColumnName(key) as keyof typeof COL;
    const index = COL[column];
    if (index === undefined) {
      add({ column: key, message: 'is not a column of the format' });
      continue;
    }
    if (value === null || value === undefined) continue;
    // PostgreSQL text takes neither NUL nor half a surrogate pair; JSON can spell both.
    if (typeof value === 'string' && (value.includes('\u0000') || LONE_SURROGATE.test(value))) add({ column, message: 'contains a NUL character or broken Unicode' });
    else if (typeof value === 'string') cells[index] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') cells[index] = String(value);
    else add({ column, message: 'must be text, a number or true/false' });
  }
  return { row, cells, issues };
}

interface JsonItem {
  value?: unknown;
  error?: string;
}

/** The items of a top-level JSON array, in batches, without holding more than one item's text. */
export async function* jsonArrayItems(file: string, text: AsyncIterable<string>): AsyncGenerator<JsonItem[]> {
  let state: 'before' | 'between' | 'after' = 'before';
  let item = ''; // text of the item being read
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectComma = false;
  let sawAnything = false;
  for await (const chunk of text) {
    const items: JsonItem[] = [];
    let start = depth > 0 ? 0 : -1; // where the current item starts in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            item += chunk.slice(start, i + 1);
            items.push(parseItem(item));
            item = '';
            start = -1;
            expectComma = true;
          }
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\ufeff') continue;
      sawAnything = true;
      if (state === 'before') {
        if (c !== '[') throw refuse(file, c === '{' ? 'is one JSON object: the format is an array of row objects, [{...}, {...}]' : 'is not a JSON array of row objects');
        state = 'between';
      } else if (state === 'between') {
        if (c === ']') state = 'after';
        else if (c === ',' && expectComma) expectComma = false;
        else if (c === '{' || c === '[') {
          if (expectComma) throw refuse(file, 'is not valid JSON: a comma is missing between two rows');
          depth = 1;
          start = i;
        } else throw refuse(file, `is not valid JSON: unexpected "${c}" between rows (each row must be an object)`);
      } else {
        throw refuse(file, 'is not valid JSON: there is text after the closing ]');
      }
    }
    if (start >= 0) {
      item += chunk.slice(start);
      if (item.length > MAX_OBJECT_CHARS) throw refuse(file, 'has a row object larger than 1 MB');
    }
    if (items.length) yield items;
  }
  if (!sawAnything) throw refuse(file, 'is empty');
  if (state !== 'after') throw refuse(file, 'is not valid JSON: it ends before the closing ] of the array');
}

function parseItem(text: string): JsonItem {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `is not valid JSON (${(e as Error).message})` };
  }
}
