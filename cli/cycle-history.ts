/**
 * `rbm cycle history` for people: one block per event, its detail whole — a return comment or a
 * decision's text is what the reader came for, so it is wrapped, never cut. (`--json` prints the events.)
 */
export interface HistoryEvent {
  at: string;
  actor: string;
  action: string;
  version: number | null;
  detail: Record<string, unknown>;
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone, whole); newlines kept. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

function detailText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The lines printed for the events; `width` is the terminal's (at least 40 is used). */
export function formatCycleHistory(events: HistoryEvent[], width = 100): string[] {
  const w = Math.max(40, width);
  const out: string[] = [];
  for (const [i, e] of events.entries()) {
    if (i > 0) out.push('');
    out.push(`${e.at}  ${e.action}  by ${e.actor}${e.version !== null ? `  (version ${e.version})` : ''}`);
    for (const [key, value] of Object.entries(e.detail ?? {})) {
      if (value === null || value === undefined || (Array.isArray(value) && !value.length)) continue;
      const label = `    ${key}: `;
      const pad = ' '.repeat(label.length);
      const wrapped = wrapText(detailText(value), w - label.length);
      wrapped.forEach((line, n) => out.push(`${n === 0 ? label : pad}${line}`.trimEnd()));
    }
  }
  return out;
}
