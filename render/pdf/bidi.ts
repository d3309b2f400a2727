/**
 * Right-to-left text for pdfmake, which lays out every text left to right and has no bidi support.
 *
 * The Unicode Bidirectional Algorithm (bidi-js) runs before layout: it gives each character its
 * embedding level, we reorder a line's characters into visual order (mirroring brackets on RTL levels)
 * and cut the line into runs per font — Arabic letters in the embedded Arabic font, everything else
 * (digits, Latin, punctuation, spaces) in Roboto.
 *
 * One subtlety: fontkit (under pdfkit) shapes each Arabic word itself and, for a right-to-left script,
 * already reverses that word's glyphs. So inside a run of Arabic letters we keep the logical order
 * (letters must also stay logical for the joining forms), and only the order of the runs is visual.
 *
 * Bidi reorders per line, so a paragraph that may wrap is broken into lines here, with a measure of
 * text width, and each line is reordered on its own (the first logical line is the top line).
 */
import * as bidiModule from 'bidi-js';
import type { Bidi } from 'bidi-js';

// bidi-js is CommonJS whose typings declare an ES default export: take the factory from either shape.
const bidiFactory = ((bidiModule as unknown as { default?: () => Bidi }).default ?? (bidiModule as unknown as () => Bidi));
const bidi = bidiFactory();

export const ARABIC_FONT = 'Amiri';
export const LATIN_FONT = 'Roboto';

/** Arabic letters and marks (Arabic, Arabic Supplement, Extended-A, presentation forms). */
const ARABIC_LETTER = /[\u0600-\u065F\u066E-\u06D3\u06D5-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const ARABIC_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/;
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

export const hasRtl = (text: string): boolean => RTL_CHAR.test(text);

export interface TextRun {
  text: string;
  font: string;
}

/** Paragraph direction from its first strong character (UBA rules P2–P3). */
export function baseDirection(text: string): 'rtl' | 'ltr' {
  const { paragraphs } = bidi.getEmbeddingLevels(text, 'auto');
  return (paragraphs[0]?.level ?? 0) % 2 === 1 ? 'rtl' : 'ltr';
}

/**
 * One line (no line breaks inside) in visual order, left to right, as runs per font.
 * `direction` is the paragraph's; a line of a wrapped paragraph must pass its paragraph's direction.
 */
export function visualRuns(line: string, direction: 'rtl' | 'ltr' = baseDirection(line)): TextRun[] {
  if (!line) return [];
  const chars = [...line];
  // bidi-js works on UTF-16 indices; Arabic and Latin text are in the BMP, so code units = code points here.
  const levels = bidi.getEmbeddingLevels(line, direction);
  // bidi-js reads the levels array here (its typings say the result object).
  const mirrored = bidi.getMirroredCharactersMap(line, levels.levels as never);
  const order = bidi.getReorderedIndices(line, levels);
  const visual = order.map((i: number) => mirrored.get(i) ?? line[i]!);
  if (chars.length !== line.length) {
    // Astral characters (emoji...): fall back to logical order rather than split surrogate pairs.
    return splitByFont(line);
  }
  // Re-reverse each run of Arabic letters back to logical order: fontkit reverses it while shaping.
  const out: string[] = [];
  for (let i = 0; i < visual.length; ) {
    if (ARABIC_LETTER.test(visual[i]!) && !ARABIC_DIGIT.test(visual[i]!)) {
      let j = i;
      while (j < visual.length && ARABIC_LETTER.test(visual[j]!) && !ARABIC_DIGIT.test(visual[j]!)) j++;
      out.push(visual.slice(i, j).reverse().join(''));
      i = j;
    } else {
      out.push(visual[i]!);
      i++;
    }
  }
  return splitByFont(out.join(''));
}

/** Runs of one font each: Arabic letters (and Arabic-Indic digits) in the Arabic font, the rest in Roboto. */
function splitByFont(text: string): TextRun[] {
  const runs: TextRun[] = [];
  for (const ch of text) {
    const font = ARABIC_LETTER.test(ch) || ARABIC_DIGIT.test(ch) ? ARABIC_FONT : LATIN_FONT;
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += ch;
    else runs.push({ text: ch, font });
  }
  return runs;
}

/** Width of `text` at `fontSize`, in pt; provided by the renderer (fonts are loaded there). */
export type MeasureText = (text: string, font: string, fontSize: number) => number;

/** A rough measure (no fonts): good enough to wrap when no real measure is available. */
export const approximateMeasure: MeasureText = (text, font, fontSize) => [...text].length * fontSize * (font === ARABIC_FONT ? 0.45 : 0.5);

/**
 * Breaks a paragraph into lines that fit `width` (at spaces, in logical order), each line then in
 * visual order as font runs. Explicit line breaks are kept.
 */
export function wrapBidiParagraph(text: string, width: number, fontSize: number, measure: MeasureText = approximateMeasure): { direction: 'rtl' | 'ltr'; lines: TextRun[][] } {
  const direction = baseDirection(text);
  const lineWidth = (s: string) => splitByFont(s).reduce((w, r) => w + measure(r.text, r.font, fontSize), 0);
  const lines: TextRun[][] = [];
  for (const hard of text.split(/\r?\n/)) {
    const words = hard.split(/(?<= )/); // keep the space with the word before it
    let current = '';
    for (const word of words) {
      if (current && lineWidth((current + word).trimEnd()) > width) {
        lines.push(visualRuns(current.trimEnd(), direction));
        current = word;
      } else current += word;
    }
    lines.push(visualRuns(current.trimEnd(), direction));
  }
  return { direction, lines };
}
