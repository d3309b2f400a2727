/**
 * Text from data into pdfmake content, right to left where it needs to be (see bidi.ts).
 * Latin-only text passes through unchanged, so the common case costs nothing.
 */
import type { Content } from 'pdfmake/interfaces.js';
import { approximateMeasure, baseDirection, hasRtl, visualRuns, wrapBidiParagraph, type TextRun } from './bidi.js';

/** Approximate widths are a little generous; lines are wrapped this much shorter than the column. */
const SAFETY = 0.9;

const fragments = (runs: TextRun[]) => runs.map((r) => ({ text: r.text, font: r.font }));

/**
 * Inline text (a table cell, a name in a line of text): a string, or font runs in visual order when it
 * holds right-to-left script. `width` (pt) and `fontSize` allow it to be wrapped line by line.
 */
export function inlineText(text: string, opts: { width?: number; fontSize?: number } = {}): string | Content {
  if (!hasRtl(text)) return text;
  if (opts.width && opts.fontSize) {
    const { lines } = wrapBidiParagraph(text, opts.width * SAFETY, opts.fontSize, approximateMeasure);
    if (lines.length > 1) return { stack: lines.map((l) => ({ text: fragments(l), noWrap: true })) } as Content;
    return { text: fragments(lines[0] ?? []) } as Content;
  }
  return { text: fragments(visualRuns(text)) } as Content;
}

/** Fragments to put inside a `text: [...]` array (e.g. after a bold code). */
export function inlineFragments(text: string): Array<string | { text: string; font: string }> {
  return hasRtl(text) ? fragments(visualRuns(text)) : [text];
}

/**
 * A paragraph of narrative (plain text from data): split at blank lines; a right-to-left paragraph is
 * wrapped here, line by line in visual order, and aligned right.
 */
export function paragraphs(text: string, opts: { width: number; fontSize: number; style?: string }): Content[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p): Content => {
      if (!hasRtl(p)) return { text: p, ...(opts.style ? { style: opts.style } : {}), margin: [0, 0, 0, 4] };
      const { direction, lines } = wrapBidiParagraph(p, opts.width * SAFETY, opts.fontSize, approximateMeasure);
      return {
        stack: lines.map((l) => ({ text: fragments(l), noWrap: true, alignment: direction === 'rtl' ? 'right' : 'left' })),
        ...(opts.style ? { style: opts.style } : {}),
        margin: [0, 0, 0, 4],
      } as Content;
    });
}

export const isRtl = (text: string): boolean => hasRtl(text) && baseDirection(text) === 'rtl';
