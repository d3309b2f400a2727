/** PostgreSQL COPY text format: tab-separated fields, \N for NULL, backslash escapes. Pure. */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text field (null: \N). */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** A numeric field (null: \N). */
export const copyNumber = (value: number | null): string => (value === null ? '\\N' : String(value));

export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return typeof value === 'number' ? String(value) : copyText(value);
}

export const copyLine = (fields: Array<string | number | null | undefined>): string => `${fields.map(copyField).join('\t')}\n`;
